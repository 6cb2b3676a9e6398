package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.within;

import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import java.util.Map;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/** Probe against the real kernel: this JVM must show up as ps would show it. */
class ProbeTest {
  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  private Probe probe;

  @BeforeEach
  void openProbe() {
    probe = new Probe(new ProbeConfig(null, "probe-test", 1000, null));
  }

  @AfterEach
  void closeProbe() {
    probe.close();
  }

  @Test
  void reportsThisJvmAsPsWould() {
    Report report = probe.scan();

    ProcessInfo self = find(report.processes(), OWN_PID);
    assertThat(self.comm()).isEqualTo("java");
    assertThat(self.cmdline()).contains("java").doesNotContain("\0");
    assertThat(self.user()).isEqualTo(System.getProperty("user.name"));
    assertThat(self.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(self.startTime()).isPositive();
    long jdkStartedAt = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
    assertThat(self.startedAt()).isCloseTo(jdkStartedAt, within(2_000L))
        .isLessThanOrEqualTo(report.timestamp());
    assertThat(self.rssBytes()).isGreaterThan(16L << 20); // a JVM is never this small
    assertThat(self.nodeId(report.hostId())).isEqualTo(
        report.hostId() + ";" + OWN_PID + ";" + self.startTime());
  }

  @Test
  void aSingleThreadedProcessIsMeasuredWhenItRunsAndReportedIdleWhenItDoesNot() throws Exception {
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    Process idle = new ProcessBuilder("sleep", "41").start();
    try {
      // sleep spends CPU while it starts (exec, the dynamic loader): let it settle first.
      Thread.sleep(500);
      probe.scan();
      Thread.sleep(300);
      probe.scan();
      for (int i = 0; i < 3; i++) {
        Thread.sleep(300);
        Report report = probe.scan();
        assertThat(find(report.processes(), (int) busy.pid()).cpuPercent())
            .as("a spinning shell, scan %d (the machine may be busy)", i).isGreaterThan(5);
        ProcessInfo sleeping = find(report.processes(), (int) idle.pid());
        assertThat(sleeping.cpuPercent()).isZero();
        assertThat(sleeping.rssBytes()).isPositive();
        assertThat(sleeping.cmdline()).isEqualTo("sleep 41");
      }
    } finally {
      busy.destroyForcibly().waitFor();
      idle.destroyForcibly().waitFor();
    }
  }

  @Test
  void steadyScansStillSeeEveryChange() throws Exception {
    for (int i = 0; i < 3; i++) {
      probe.scan(); // steady: stat files kept open, no fd walk, listings reused
    }
    Process sleeper = new ProcessBuilder("sleep", "37").start();
    try {
      assertThat(probe.scan().processes()).as("a process started after steady scans")
          .anySatisfy(p -> {
            assertThat(p.pid()).isEqualTo((int) sleeper.pid());
            assertThat(p.cmdline()).isEqualTo("sleep 37");
          });
      probe.scan();
      probe.scan(); // steady again, the sleeper's stat file kept open
      try (java.net.ServerSocket listener =
               new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
          java.net.Socket client =
              new java.net.Socket(listener.getInetAddress(), listener.getLocalPort());
          java.net.Socket accepted = listener.accept()) {
        assertThat(probe.scan().connections())
            .as("a socket opened while no process started or exited still gets its owner")
            .filteredOn(c -> c.localPort() == client.getLocalPort()
                && c.remotePort() == listener.getLocalPort())
            .singleElement()
            .satisfies(c -> assertThat(c.pid()).isEqualTo(OWN_PID));
      }
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
    // Once more only as the proc connector's record of its exit, not as a live process.
    assertThat(probe.scan().processes()).as("an exited process, though its stat file was open")
        .noneMatch(p -> p.pid() == sleeper.pid() && p.exitedAt() == null);
  }

  @Test
  void theTaskIteratorAgreesWithProcForEveryProcess() throws Exception {
    assumeTrue(probe.explain().stream().anyMatch(l -> l.startsWith("processes: BPF task iterator")),
        () -> "BPF task iterator not active here: " + probe.explain());
    probe.scan();
    Map<Integer, String> disagreements = new HashMap<>();
    int compared = 0;
    Map<Integer, String> threadsBefore = threadCounts();
    List<ProcessInfo> scanned = probe.scan().processes();
    Map<Integer, String> threadsAfter = threadCounts();
    for (ProcessInfo p : scanned) {
      // A busy JVM (Maven's, next to this test) starts and ends threads all the time: compare
      // thread counts only of processes whose count stood still across the scan.
      String why = java.util.Objects.equals(threadsBefore.get(p.pid()), threadsAfter.get(p.pid()))
          ? disagreement(p) : null;
      if (why != null) {
        disagreements.put(p.pid(), why);
      }
      compared++;
    }
    // Other processes on a busy machine start threads or lose their parent between the scan
    // and reading /proc: a disagreement must hold on a second look to count.
    if (!disagreements.isEmpty()) {
      for (ProcessInfo p : probe.scan().processes()) {
        if (disagreements.containsKey(p.pid()) && disagreement(p) == null) {
          disagreements.remove(p.pid());
        }
      }
    }
    assertThat(disagreements).as("processes the iterator and /proc disagree on").isEmpty();
    assertThat(compared).isGreaterThan(10);
    assertThat(find(probe.scan().processes(), 1).comm())
        .as("pid 1, which some kernels' iterator skips").isNotBlank();
  }

  private static Map<Integer, String> threadCounts() throws java.io.IOException {
    Map<Integer, String> counts = new HashMap<>();
    try (var dirs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"),
        "[0-9]*")) {
      for (java.nio.file.Path dir : dirs) {
        try {
          String stat = java.nio.file.Files.readString(dir.resolve("stat"));
          counts.put(Integer.parseInt(dir.getFileName().toString()),
              stat.substring(stat.lastIndexOf(')') + 2).split(" ")[17]);
        } catch (java.io.IOException exited) {
          // gone meanwhile
        }
      }
    }
    return counts;
  }

  /** How a process differs from what /proc/PID/stat says, or null. */
  private static String disagreement(ProcessInfo p) {
    String stat;
    try {
      stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/stat"));
    } catch (java.io.IOException exitedMeanwhile) {
      return null;
    }
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    if (Long.parseLong(f[19]) != p.startTime()) {
      return null; // pid reused meanwhile
    }
    // /proc appends a workqueue worker's current work item ("kworker/0:1-events"): a prefix.
    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!comm.startsWith(p.comm())) {
      return "comm " + p.comm() + " vs " + comm;
    }
    if (p.ppid() != Integer.parseInt(f[1])) {
      return "ppid " + p.ppid() + " vs " + f[1];
    }
    if (p.pid() != OWN_PID && p.threads() != Integer.parseInt(f[17])) {
      return "threads " + p.threads() + " vs " + f[17];
    }
    long rssPages = Long.parseLong(f[21]);
    if (Math.abs(p.rssBytes() / 4096 - rssPages) > Math.max(16, rssPages / 10)) {
      return "rss pages " + p.rssBytes() / 4096 + " vs " + rssPages + " (both approximate)";
    }
    return null;
  }

  @Test
  void kernelThreadsShowCommInBrackets() {
    ProcessInfo kthreadd = find(probe.scan().processes(), 2);
    assertThat(kthreadd.comm()).isEqualTo("kthreadd");
    assertThat(kthreadd.cmdline()).isEqualTo("[kthreadd]");
    assertThat(kthreadd.user()).isEqualTo("root");
    assertThat(kthreadd.ppid()).isZero();
  }

  @Test
  void cpuIsZeroOnFirstSightThenMeasuredSinceThePreviousScan() {
    Report first = probe.scan();
    assertThat(first.processes()).allSatisfy(p -> assertThat(p.cpuPercent()).isZero());

    burnCpu(300);
    ProcessInfo self = find(probe.scan().processes(), OWN_PID);

    // 300 ms of CPU in this thread alone; wall time between scans is at least as long.
    assertThat(self.cpuPercent()).isGreaterThan(1.0).isLessThan(100.0 * 64);
  }

  @Test
  void reportCarriesHostIdentitySequenceAndHostFacts() throws IOException {
    Report first = probe.scan();
    Report second = probe.scan();

    String machineId = Files.readString(Path.of("/etc/machine-id")).strip();
    assertThat(first.hostId()).isEqualTo(machineId).isEqualTo(probe.hostId());
    assertThat(first.probeId()).isEqualTo("probe-test");
    assertThat(second.seq()).isEqualTo(first.seq() + 1);
    assertThat(first.intervalMs()).isEqualTo(1000);
    assertThat(second.timestamp()).isGreaterThanOrEqualTo(first.timestamp());

    assertThat(first.host().kernel()).isEqualTo(System.getProperty("os.version"));
    assertThat(first.host().hostname())
        .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip())
        .isNotBlank();
    assertThat(first.host().os()).isNotBlank().doesNotStartWith("\"");
    assertThat(first.host().cpus()).isGreaterThanOrEqualTo(1);
    assertThat(first.host().memoryTotalBytes())
        .isGreaterThan(Runtime.getRuntime().maxMemory() / 4);
    assertThat(first.host().load1()).isGreaterThanOrEqualTo(0);
    assertThat(first.host().addresses())
        .noneMatch(a -> a.equals("127.0.0.1") || a.equals("::1") || a.startsWith("fe80:"));
  }

  @Test
  void configuredHostIdWins() {
    try (Probe named = new Probe(new ProbeConfig("host-a", null, 500, null))) {
      Report report = named.scan();
      assertThat(report.hostId()).isEqualTo("host-a");
      assertThat(report.probeId()).startsWith("probe-");
      assertThat(report.intervalMs()).isEqualTo(500);
    }
  }

  @Test
  void explainsThatSockDiagIsActiveHere() {
    List<String> lines = probe.explain();

    assertThat(lines.get(0)).startsWith("socket source: sock_diag via netlink").contains("active");
    assertThat(lines.get(1)).startsWith("/proc/net/tcp fallback not used");
    assertThat(lines).anyMatch(l -> l.contains("/proc/PID/fd"));
  }

  @Test
  void explainsAForcedFallback() {
    ProbeConfig config = ProbeConfig.defaults();
    try (Probe fallback = new Probe(config, new ProcNetSource(config.procRoot()))) {
      assertThat(fallback.explain().get(0))
          .startsWith("socket source: /proc/net/tcp and /proc/net/tcp6 (procfs)");
    }
  }

  static ProcessInfo find(List<ProcessInfo> processes, int pid) {
    return processes.stream().filter(p -> p.pid() == pid).findFirst()
        .orElseThrow(() -> new AssertionError("pid " + pid + " not in report"));
  }

  private static void burnCpu(long millis) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + millis * 1_000_000;
    long sink = 0;
    while (threads.getCurrentThreadCpuTime() < until) {
      for (int i = 0; i < 100_000; i++) {
        sink += i ^ sink;
      }
    }
    assertThat(sink).isNotEqualTo(42);
  }
}
