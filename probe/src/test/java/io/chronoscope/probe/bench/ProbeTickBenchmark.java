package io.chronoscope.probe.bench;

import io.chronoscope.model.Report;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * CPU, allocation and wall time of one steady {@link Probe#scan()} tick against a naive full
 * /proc walk, in the same JVM and interleaved so both see the same noise. Not a test: it prints
 * figures (markdown) and asserts nothing.
 *
 * <p>Runs twice: on the host as it is, then with extra load ({@code -Dbench.processes},
 * default 200 sleeping processes, and {@code -Dbench.connections}, default 500 loopback
 * connections held by this JVM). {@code -Dbench.ticks} (50) and {@code -Dbench.warmup} (10).
 */
public final class ProbeTickBenchmark {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ProbeTickBenchmark() {}

  public static void main(String[] args) throws IOException {
    int ticks = Integer.getInteger("bench.ticks", 50);
    int warmup = Integer.getInteger("bench.warmup", 10);
    int extraProcesses = Integer.getInteger("bench.processes", 200);
    int extraConnections = Integer.getInteger("bench.connections", 500);

    System.out.printf(Locale.ROOT, "%d cores, kernel %s, Java %s; %d ticks after %d warm-up ticks;"
            + " median / p90 per tick%n%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.version"), System.getProperty("java.version"), ticks, warmup);
    System.out.println(
        "| host | variant | processes | sockets | CPU ms | allocated KiB | wall ms |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    run("as is", ticks, warmup);

    List<Process> sleepers = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    try (ServerSocket listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < extraProcesses; i++) {
        sleepers.add(new ProcessBuilder("sleep", "3600")
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start());
      }
      for (int i = 0; i < extraConnections; i++) {
        sockets.add(new Socket(listener.getInetAddress(), listener.getLocalPort()));
        sockets.add(listener.accept());
      }
      run("+" + extraProcesses + " processes, +" + extraConnections + " connections", ticks,
          warmup);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
      sleepers.forEach(Process::destroyForcibly);
    }
  }

  private static void run(String host, int ticks, int warmup) {
    NaiveProcWalk naive = new NaiveProcWalk();
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      int[] sizes = new int[2];
      Sample cold = Sample.of(() -> count(probe.scan(), sizes));
      for (int i = 0; i < warmup; i++) {
        probe.scan();
        naive.walk();
      }
      Sample[] steady = new Sample[ticks];
      Sample[] walk = new Sample[ticks];
      int[] naiveSizes = new int[2];
      for (int i = 0; i < ticks; i++) {
        steady[i] = Sample.of(() -> count(probe.scan(), sizes));
        walk[i] = Sample.of(() -> {
          naiveSizes[0] = naive.walk();
          naiveSizes[1] = naive.sockets();
          return 0;
        });
      }
      row(host, "Probe.scan(), first tick (cold caches, 1 sample)", sizes, new Sample[] {cold});
      row(host, "Probe.scan(), steady tick", sizes, steady);
      row(host, "naive full /proc walk, no caching", naiveSizes, walk);
    }
  }

  private static int count(Report report, int[] sizes) {
    sizes[0] = report.processes().size();
    sizes[1] = report.connections().size();
    return 0;
  }

  private static void row(String host, String variant, int[] sizes, Sample[] samples) {
    long[] cpu = Arrays.stream(samples).mapToLong(Sample::cpuNanos).sorted().toArray();
    long[] alloc = Arrays.stream(samples).mapToLong(Sample::allocatedBytes).sorted().toArray();
    long[] wall = Arrays.stream(samples).mapToLong(Sample::wallNanos).sorted().toArray();
    System.out.printf(Locale.ROOT,
        "| %s | %s | %d | %d | %.2f / %.2f | %.0f / %.0f | %.2f / %.2f |%n",
        host, variant, sizes[0], sizes[1],
        median(cpu) / 1e6, p90(cpu) / 1e6, median(alloc) / 1024.0, p90(alloc) / 1024.0,
        median(wall) / 1e6, p90(wall) / 1e6);
  }

  private static double median(long[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  private static double p90(long[] sorted) {
    return sorted[Math.max(0, (int) Math.ceil(0.9 * sorted.length) - 1)];
  }

  /** One tick's cost on the calling thread, where the probe does all its work. */
  private record Sample(long cpuNanos, long allocatedBytes, long wallNanos) {
    static Sample of(IntSupplier tick) {
      long allocated = THREADS.getCurrentThreadAllocatedBytes();
      long cpu = THREADS.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      tick.getAsInt();
      long wallEnd = System.nanoTime();
      long cpuEnd = THREADS.getCurrentThreadCpuTime();
      return new Sample(cpuEnd - cpu, THREADS.getCurrentThreadAllocatedBytes() - allocated,
          wallEnd - wall);
    }
  }
}
