package io.chronoscope.probe.bench;

import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Issue 3's scale benchmark: at least 1,000 processes and 10,000 established TCP connections,
 * half on loopback, half from the host into a network namespace over a veth link, held by child
 * JVMs ({@link ConnectionHolder}). Prints CPU and allocation per steady and cold tick, report
 * size raw and gzip-compressed, and the naive full /proc walk in the same run. Needs root.
 * Options: {@code -Dbench.processes=1000 -Dbench.connections=10000 -Dbench.ticks=30
 * -Dbench.warmup=5}.
 */
public final class ProbeScaleBenchmark {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ProbeScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int processes = Integer.getInteger("bench.processes", 1000);
    int connections = Integer.getInteger("bench.connections", 10_000);
    int ticks = Integer.getInteger("bench.ticks", 30);
    int warmup = Integer.getInteger("bench.warmup", 5);
    String ns = "cs-bench-" + ProcessHandle.current().pid();
    String veth = "csb" + ProcessHandle.current().pid();
    List<Process> children = new ArrayList<>();
    List<Long> sleeperPids = new ArrayList<>();
    List<String[]> undo = new ArrayList<>();
    try {
      run("ip", "netns", "add", ns);
      undo.add(0, new String[] {"ip", "netns", "del", ns});
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "n", "netns", ns);
      undo.add(0, new String[] {"ip", "link", "del", veth});
      run("ip", "addr", "add", "10.251.77.1/24", "dev", veth);
      run("ip", "link", "set", veth, "up");
      run("ip", "-n", ns, "addr", "add", "10.251.77.2/24", "dev", veth + "n");
      run("ip", "-n", ns, "link", "set", veth + "n", "up");

      int loopback = connections / 2;
      int across = connections - loopback;
      int perHolder = 1250;
      for (int left = loopback; left > 0; left -= perHolder) {
        children.add(holder(null, "loop", "" + Math.min(perHolder, left)));
      }
      Process server = holder(ns, "listen", "10.251.77.2");
      children.add(server);
      String port = readLine(server).substring("port ".length());
      for (int left = across; left > 0; left -= 2 * perHolder) {
        children.add(holder(null, "connect", "10.251.77.2", port,
            "" + Math.min(2 * perHolder, left)));
      }
      for (Process child : children) {
        if (child != server) {
          String line = readLine(child);
          if (!line.equals("ready")) {
            throw new IllegalStateException("holder " + child.pid() + " said " + line);
          }
        }
      }
      int sleepers = Math.max(0, processes - ProcessHandle.allProcesses().mapToInt(p -> 1).sum());
      // Started by a shell, not one by one: the JDK gives every child it starts a reaper thread,
      // and 1,000 threads in this JVM would make its own /proc/PID/stat (which sums CPU over
      // threads) the most expensive file of the benchmark.
      sleeperPids.addAll(startSleepers(sleepers));
      measure(ticks, warmup, connections);
    } finally {
      sleeperPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      children.forEach(Process::destroyForcibly);
      for (Process child : children) {
        child.waitFor();
      }
      for (String[] command : undo) {
        try {
          run(command);
        } catch (RuntimeException e) {
          System.err.println("cleanup: " + e.getMessage());
        }
      }
    }
  }

  private static void measure(int ticks, int warmup, int made) throws IOException {
    NaiveProcWalk naive = new NaiveProcWalk();
    Report[] last = new Report[1];
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      Sample cold = Sample.of(() -> last[0] = probe.scan());
      Report coldReport = last[0];
      for (int i = 0; i < warmup; i++) {
        probe.scan();
        naive.walk();
      }
      Sample[] steady = new Sample[ticks];
      Sample[] walk = new Sample[ticks];
      java.util.Map<String, List<Long>> phases = new java.util.LinkedHashMap<>();
      for (int i = 0; i < ticks; i++) {
        steady[i] = Sample.of(() -> last[0] = probe.scan());
        probe.lastScanPhases().forEach((phase, nanos) ->
            phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(nanos));
        walk[i] = Sample.of(() -> {
          naive.walk();
          return null;
        });
      }
      Report report = last[0];
      long established = report.connections().stream()
          .filter(c -> "ESTABLISHED".equals(c.state())).count();
      long namespaces = report.connections().stream().map(c -> c.netNamespace()).distinct()
          .count();
      System.out.printf(Locale.ROOT, "%d cores, kernel %s, Java %s; %d ticks after %d warm-up;"
              + " %d processes, %d sockets (%d ESTABLISHED, %d net namespaces), %d NAT flows;"
              + " benchmark made %d connections; naive walk saw %d sockets%n%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
          System.getProperty("java.version"), ticks, warmup, report.processes().size(),
          report.connections().size(), established, namespaces, report.nat().size(), made,
          naive.sockets());
      System.out.println("| variant | CPU ms (median / p90) | CPU ms mean (amortized) |"
          + " allocated MiB (median / p90) | wall ms (median / p90) |");
      System.out.println("|---|---:|---:|---:|---:|");
      row("Probe.scan(), first tick of a new Probe (cold, 1 sample)", new Sample[] {cold});
      row("**Probe.scan(), steady tick**", steady);
      row("naive full /proc walk (host namespace sockets only)", walk);
      System.out.printf(Locale.ROOT, "%nsteady tick by phase (CPU ms, median / p90 / mean):%n");
      phases.forEach((phase, nanos) -> {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "  %-16s %7.2f / %7.2f / %7.2f%n", phase,
            median(sorted) / 1e6, p90(sorted) / 1e6,
            Arrays.stream(sorted).average().orElse(0) / 1e6);
      });
      byte[] json = Json.mapper().writeValueAsBytes(report);
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(json);
      }
      int sockets = report.connections().size();
      System.out.printf(Locale.ROOT, "%nreport: %d bytes JSON (%.0f per socket), %d bytes gzip"
              + " (%.1f per socket, %.1f per connection made); cold report %d sockets%n",
          json.length, json.length / (double) sockets, gz.size(), gz.size() / (double) sockets,
          gz.size() / (double) made, coldReport.connections().size());
    }
  }

  /** Starts {@code n} {@code sleep 3600} through one shell; returns their pids. */
  public static List<Long> startSleepers(int n) throws IOException, InterruptedException {
    Process shell = new ProcessBuilder("sh", "-c",
        "i=0; while [ $i -lt " + n + " ]; do sleep 3600 </dev/null >/dev/null 2>&1 & echo $!;"
            + " i=$((i+1)); done")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<Long> pids = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        pids.add(Long.parseLong(line.strip()));
      }
    }
    shell.waitFor();
    return pids;
  }

  private static Process holder(String ns, String... args) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    if (ns != null) {
      command.addAll(List.of("ip", "netns", "exec", ns));
    }
    command.addAll(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
        ConnectionHolder.class.getName()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    // exec:java runs us inside Maven, whose java.class.path is not ours: the holder needs only
    // the directory it was compiled into.
    builder.environment().put("CLASSPATH", Path.of(ConnectionHolder.class.getProtectionDomain()
        .getCodeSource().getLocation().getPath()).toString());
    return builder.start();
  }

  private static String readLine(Process p) throws IOException {
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8)).readLine();
    if (line == null) {
      throw new IllegalStateException("holder " + p.pid() + " exited early");
    }
    return line;
  }

  private static void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + ": " + out.strip());
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(String.join(" ", command), e);
    }
  }

  private static void row(String variant, Sample[] samples) {
    long[] cpu = Arrays.stream(samples).mapToLong(Sample::cpuNanos).sorted().toArray();
    long[] alloc = Arrays.stream(samples).mapToLong(Sample::allocatedBytes).sorted().toArray();
    long[] wall = Arrays.stream(samples).mapToLong(Sample::wallNanos).sorted().toArray();
    System.out.printf(Locale.ROOT, "| %s | %.2f / %.2f | %.2f | %.2f / %.2f | %.2f / %.2f |%n",
        variant, median(cpu) / 1e6, p90(cpu) / 1e6, Arrays.stream(cpu).average().orElse(0) / 1e6,
        median(alloc) / 1048576.0, p90(alloc) / 1048576.0, median(wall) / 1e6, p90(wall) / 1e6);
  }

  private static double median(long[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  private static double p90(long[] sorted) {
    return sorted[Math.max(0, (int) Math.ceil(0.9 * sorted.length) - 1)];
  }

  /** One tick's cost on the calling thread, where the probe does its work. */
  private record Sample(long cpuNanos, long allocatedBytes, long wallNanos) {
    static Sample of(Supplier<?> tick) {
      long allocated = THREADS.getCurrentThreadAllocatedBytes();
      long cpu = THREADS.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      tick.get();
      long wallEnd = System.nanoTime();
      long cpuEnd = THREADS.getCurrentThreadCpuTime();
      return new Sample(cpuEnd - cpu, THREADS.getCurrentThreadAllocatedBytes() - allocated,
          wallEnd - wall);
    }
  }
}
