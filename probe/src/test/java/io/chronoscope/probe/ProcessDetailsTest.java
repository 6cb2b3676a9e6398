package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Threads, fds, cgroup, network namespace, containers and short-lived processes against the real
 * kernel. The container test makes its own cgroup and network namespace as a stand-in for a
 * runtime the probe does not know.
 */
class ProcessDetailsTest {
  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  private Probe probe;

  @BeforeEach
  void openProbe() {
    probe = new Probe(new ProbeConfig(null, "details-test", 1000, null));
  }

  @AfterEach
  void closeProbe() {
    probe.close();
  }

  @Test
  void processThatLivedBetweenTwoScansIsReportedOnceWithItsExitCode() throws Exception {
    assumeThat(probe.explain()).as("proc connector needs root (CAP_NET_ADMIN); explain says: %s",
        probe.explain()).anyMatch(line -> line.contains("proc connector (NETLINK_CONNECTOR"));
    probe.scan();

    Process shortLived = new ProcessBuilder("sh", "-c", "sleep 0.1; exit 3").start();
    int pid = (int) shortLived.pid();
    assertThat(shortLived.waitFor()).isEqualTo(3);
    Report report = probe.scan();

    ProcessInfo exited = find(report.processes(), pid);
    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.ppid()).isEqualTo(OWN_PID);
    assertThat(exited.comm()).isEqualTo("sh");
    assertThat(exited.cmdline()).isEqualTo("sh -c sleep 0.1; exit 3");
    assertThat(exited.startTime()).isPositive();
    assertThat(exited.exitedAt()).isGreaterThanOrEqualTo(exited.startedAt() + 100 - 20)
        .isLessThanOrEqualTo(report.timestamp() + 1000);
    assertThat(report.processes().stream().filter(p -> p.pid() == pid)).hasSize(1);
    // reported once: the next report no longer has it
    assertThat(probe.scan().processes()).noneMatch(p -> p.pid() == pid);
  }

  @Test
  void processKilledBySignalReportsMinusTheSignal() throws Exception {
    assumeThat(probe.explain()).as("proc connector needs root (CAP_NET_ADMIN)")
        .anyMatch(line -> line.contains("proc connector (NETLINK_CONNECTOR"));
    probe.scan();
    Process killed = new ProcessBuilder("sh", "-c", "kill -9 $$").start();
    killed.waitFor();
    assertThat(find(probe.scan().processes(), (int) killed.pid()).exitCode()).isEqualTo(-9);
  }

  @Test
  void thisJvmHasThreadsFdsAndItsNetworkNamespace() throws IOException {
    Report report = probe.scan();

    ProcessInfo self = find(report.processes(), OWN_PID);
    assertThat(self.threads()).isGreaterThan(10);
    assertThat(self.openFds()).isGreaterThan(0);
    assertThat(self.netNamespace()).isEqualTo(inode(Path.of("/proc/self/ns/net")));
    assertThat(self.cgroup()).startsWith("/");
    assertThat(self.exitedAt()).isNull();
  }

  @Test
  void hostHasInterfacesMemoryCpuLoadAndBootTime() {
    probe.scan();
    Report report = probe.scan();

    HostInfo host = report.host();
    assertThat(host.interfaces()).anySatisfy(nic -> {
      assertThat(nic.name()).isEqualTo("lo");
      assertThat(nic.up()).isTrue();
      assertThat(nic.addresses()).contains("127.0.0.1");
    });
    assertThat(host.memoryAvailableBytes()).isPositive().isLessThan(host.memoryTotalBytes());
    assertThat(host.cpuPercent()).isBetween(0.0, 100.0);
    assertThat(host.load5()).isNotNegative();
    assertThat(host.load15()).isNotNegative();
    assertThat(host.bootTime()).isPositive()
        .isLessThanOrEqualTo(find(report.processes(), OWN_PID).startedAt() + 1000);
  }

  /**
   * The stand-in for an unknown runtime: a cgroup named like no runtime plus a network namespace
   * of its own. The probe must report the process in both and a container of runtime "unknown".
   */
  @Test
  void cgroupAndNetworkNamespaceOfUnknownRuntimeMakeAContainer() throws Exception {
    assumeThat(System.getProperty("user.name")).as("needs root to make cgroups and namespaces")
        .isEqualTo("root");
    String name = "chronoscope-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<Path> cgroupDirs = cgroupDirs(name);
    assumeThat(cgroupDirs).as("no writable cgroup hierarchy under /sys/fs/cgroup").isNotEmpty();
    Process inside = null;
    try {
      run("ip", "netns", "add", name);
      StringBuilder join = new StringBuilder();
      for (Path dir : cgroupDirs) {
        Files.createDirectory(dir);
        join.append("echo $$ > ").append(dir.resolve("cgroup.procs")).append(" && ");
      }
      inside = new ProcessBuilder("sh", "-c", join + "exec nsenter --net=/run/netns/" + name
          + " sh -c 'head -c 4000000 /dev/zero | tail -c 1 >/dev/null; echo ready; exec sleep 60'")
          .redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(
          new InputStreamReader(inside.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("ready");
      int pid = (int) inside.pid();

      Report report = probe.scan();

      ProcessInfo process = find(report.processes(), pid);
      assertThat(process.cgroup()).isEqualTo("/" + name);
      assertThat(process.netNamespace()).isEqualTo(inode(Path.of("/proc/" + pid + "/ns/net")))
          .isNotEqualTo(inode(Path.of("/proc/self/ns/net")));
      assertThat(process.containerId()).isEqualTo(name);
      ContainerInfo container = report.containers().stream()
          .filter(c -> c.id().equals(name)).findFirst().orElseThrow();
      assertThat(container.runtime()).isEqualTo("unknown");
      assertThat(container.pid()).isEqualTo(pid);
      assertThat(container.memoryBytes()).isPositive();
      // this JVM is on the host: no container
      assertThat(find(report.processes(), OWN_PID).containerId()).isNull();

      Report next = probe.scan();
      ContainerInfo again = next.containers().stream()
          .filter(c -> c.id().equals(name)).findFirst().orElseThrow();
      assertThat(again.cpuPercent()).isNotNull().isNotNegative();
    } finally {
      if (inside != null) {
        inside.destroyForcibly().waitFor();
      }
      for (Path dir : cgroupDirs) {
        Files.deleteIfExists(dir);
      }
      run("ip", "netns", "del", name);
    }
  }

  @Test
  void cgroupStatsReadCpuAndMemoryOfThisJvmsCgroup() {
    CgroupStats stats = new CgroupStats(Path.of("/proc/self/mounts"));
    // the root cgroup always has usage in v1; in v2 only cpu.stat (memory.current is per child)
    assertThat(stats.cpuNanos("/")).isPositive();
    assertThat(stats.cpuNanos("/no-such-cgroup-" + UUID.randomUUID())).isNull();
    assertThat(stats.memoryBytes("/../etc")).isNull();
  }

  @Test
  void exitCodeDecodesTheWaitStatus() {
    assertThat(ProcConnector.exitCode(3 << 8)).isEqualTo(3);
    assertThat(ProcConnector.exitCode(0)).isZero();
    assertThat(ProcConnector.exitCode(9)).isEqualTo(-9);
    assertThat(ProcConnector.exitCode(0x80 | 11)).isEqualTo(-11); // core dumped
  }

  /** One directory per mounted hierarchy the probe reads: v2, or v1 cpuacct and memory. */
  private static List<Path> cgroupDirs(String name) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] f = line.split(" ");
      boolean v1 = f[2].equals("cgroup") && (("," + f[3] + ",").contains(",cpuacct,")
          || ("," + f[3] + ",").contains(",memory,"));
      if ((v1 || f[2].equals("cgroup2")) && Files.isWritable(Path.of(f[1]))) {
        dirs.add(Path.of(f[1], name));
      }
    }
    return dirs;
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
  }

  private static long inode(Path link) throws IOException {
    String target = Files.readSymbolicLink(link).toString(); // net:[4026531840]
    return Long.parseLong(target.substring(target.indexOf('[') + 1, target.length() - 1));
  }

  private static ProcessInfo find(List<ProcessInfo> processes, int pid) {
    return processes.stream().filter(p -> p.pid() == pid).findFirst()
        .orElseThrow(() -> new AssertionError("pid " + pid + " not in the report"));
  }
}
