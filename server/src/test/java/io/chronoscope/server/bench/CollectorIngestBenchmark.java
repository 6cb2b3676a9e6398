package io.chronoscope.server.bench;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.ReportDecoder;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.chronoscope.probe.publish.HttpPublisher;
import io.chronoscope.server.loadgen.SimulatedWorld;
import io.chronoscope.server.loadgen.WorldShape;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How many probe reports one collector core takes in: the reports of a simulated cluster
 * ({@link SimulatedWorld}), serialised as the probe sends them (zstd Smile, or gzip JSON as it did
 * before), are fed on this one
 * thread to a {@link Collector} the way the HTTP and Kafka transports do (inflate, decode,
 * ingest), with ticks at the all-in-one's cadence in simulated time and the memory store. Cost is
 * this thread's CPU time ({@code ThreadMXBean}), so the figure is reports per second per core;
 * the whole process's CPU (GC and JIT threads too) is printed beside it. Not a test: it prints
 * figures for docs/benchmarks.md.
 *
 * <p>Every host reports once per interval, the hosts spread evenly over it (as real probes are);
 * the collector ticks every {@code bench.tick} of simulated time. Rows: the collector as it is;
 * the full rebuild every tick that it replaced ({@link FullRebuildCollector}); and decoding
 * alone, the floor no collector can go under.
 *
 * <p>The simulated cluster runs {@code bench.age} seconds before its first report, so connections
 * carry the byte counters of connections that have been open a while (an edge's bytes are shown
 * to two significant digits, so a young connection's edge changes on almost every report, an
 * old one's seldom); {@code -Dbench.age=0} starts every counter at zero.
 *
 * <p>Options: -Dbench.hosts=500 -Dbench.containers=200 -Dbench.connections=(hosts × containers)
 * -Dbench.churn=0.2 (percent of all pods replaced per interval) -Dbench.age=600 -Dbench.interval=3000
 * -Dbench.tick=1000 -Dbench.warmup=3 -Dbench.rounds=10 (intervals measured, after the warm-up)
 * -Dbench.seed=42 -Dbench.paths=incremental,incremental-json,decode,decode-json (also: full).
 */
public final class CollectorIngestBenchmark {
  private static final long T0 = 1_790_000_000_000L;
  private static final com.sun.management.ThreadMXBean THREAD =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) {
    int hosts = Integer.getInteger("bench.hosts", 500);
    int containers = Integer.getInteger("bench.containers", 200);
    int connections = Integer.getInteger("bench.connections", hosts * containers);
    double churn = Double.parseDouble(System.getProperty("bench.churn", "0.2"));
    long intervalMs = Long.getLong("bench.interval", 3000);
    long tickMs = Long.getLong("bench.tick", 1000);
    int warmup = Integer.getInteger("bench.warmup", 3);
    int rounds = Integer.getInteger("bench.rounds", 10);
    long seed = Long.getLong("bench.seed", 42);
    long ageMs = Long.getLong("bench.age", 600) * 1000;
    List<String> paths = Arrays.asList(System.getProperty("bench.paths",
        "incremental,incremental-json,decode,decode-json").split(","));

    System.out.printf(Locale.ROOT, "world: %d hosts x %d containers, %d connections, churn %.2f %% "
        + "per %d ms interval, %d s old at the first report, tick every %d ms; %d warm-up + %d "
        + "measured intervals%n", hosts, containers, connections, churn, intervalMs, ageMs / 1000,
        tickMs, warmup, rounds);
    long madeAt = System.nanoTime();
    List<Delivery> deliveries = deliveries(
        new WorldShape(hosts, containers, connections, churn, seed), ageMs, intervalMs, warmup + rounds);
    long gzBytes = deliveries.stream().mapToLong(d -> d.gzip.length).sum();
    long jsonBytes = deliveries.stream().limit(hosts).mapToLong(d -> inflate(d.gzip).length).sum();
    long zstdBytes = deliveries.stream().mapToLong(d -> d.smile.length).sum();
    long smileBytes = deliveries.stream().limit(hosts).mapToLong(d -> Wire.SMILE.open(d.smile).length).sum();
    System.out.printf(Locale.ROOT, "made %d reports in %.1f s, per report: %.0f KiB JSON (%.0f KiB gzip), "
        + "%.0f KiB Smile (%.0f KiB zstd)%n",
        deliveries.size(), (System.nanoTime() - madeAt) / 1e9, jsonBytes / 1024.0 / hosts,
        gzBytes / 1024.0 / deliveries.size(), smileBytes / 1024.0 / hosts, zstdBytes / 1024.0 / deliveries.size());
    long measureFrom = T0 + warmup * intervalMs;

    List<Row> rows = new ArrayList<>();
    for (String path : paths) {
      switch (path.trim()) {
        case "incremental" -> rows.add(run("collector, Smile + zstd (as probes send)", Wire.SMILE,
            deliveries, tickMs, measureFrom, collector()));
        case "incremental-json" -> rows.add(run("collector, JSON + gzip (before)", Wire.JSON,
            deliveries, tickMs, measureFrom, collector()));
        case "full" -> {
          FullRebuildCollector full = new FullRebuildCollector(store());
          rows.add(run("full rebuild every tick, JSON + gzip (before)", Wire.JSON, deliveries, tickMs, measureFrom,
              sink((r, now) -> full.ingest(r), full::tick, full::world)));
        }
        case "decode" -> rows.add(decodeOnly(Wire.SMILE, deliveries, measureFrom));
        case "decode-json" -> rows.add(decodeOnly(Wire.JSON, deliveries, measureFrom));
        default -> throw new IllegalArgumentException("bench.paths: unknown path '" + path + "'");
      }
    }
    printTable(rows);
  }

  private static Sink collector() {
    Collector collector = new Collector(store(), new SimpleMeterRegistry());
    return sink(collector::ingest, collector::tick, collector::world);
  }

  private static Sink sink(java.util.function.ObjLongConsumer<Report> ingest,
      java.util.function.LongFunction<ChangeSet> tick, java.util.function.Supplier<Graph> world) {
    return new Sink() {
      @Override
      public void ingest(Report r, long now) {
        ingest.accept(r, now);
      }

      @Override
      public ChangeSet tick(long now) {
        return tick.apply(now);
      }

      @Override
      public Graph world() {
        return world.get();
      }
    };
  }

  private static MemoryTopologyStore store() {
    // The all-in-one's defaults.
    return new MemoryTopologyStore(Duration.ofHours(6), Duration.ofMinutes(10));
  }

  /** One report as the probe sends it, both ways it can, and the simulated instant it arrives at. */
  private record Delivery(long at, byte[] gzip, byte[] smile) {}

  /** The two report encodings a probe can send, and what the collector does to open each. */
  private enum Wire {
    SMILE, JSON;

    byte[] body(Delivery d) {
      return this == SMILE ? d.smile : d.gzip;
    }

    /** Netty inflates gzip before the controller runs; the controller inflates zstd itself. */
    byte[] open(byte[] body) {
      return this == SMILE ? ReportWire.unzstd(body, ReportDecoder.MAX_REPORT_BYTES) : inflate(body);
    }

    String label() {
      return this == SMILE ? "Smile + zstd" : "JSON + gzip";
    }
  }

  /** Every report of every interval, in arrival order: host h of H reports h/H into each interval. */
  private static List<Delivery> deliveries(WorldShape shape, long ageMs, long intervalMs, int intervals) {
    SimulatedWorld world = new SimulatedWorld(shape, T0 - ageMs, intervalMs);
    List<Delivery> all = new ArrayList<>(shape.hosts() * intervals);
    for (int i = 0; i < intervals; i++) {
      long start = T0 + i * intervalMs;
      if (i > 0 || ageMs > 0) {
        world.advance(start);
      }
      List<Report> reports = world.reports();
      for (int h = 0; h < reports.size(); h++) {
        Report r = reports.get(h);
        long at = start + h * intervalMs / reports.size();
        // Scanned when sent: a staggered probe's report carries its own scan time.
        Report sent = new Report(r.hostId(), r.probeId(), r.seq(), at, r.intervalMs(), r.host(),
            r.processes(), r.connections(), r.containers(), r.nat());
        all.add(new Delivery(at, gzipJson(sent), HttpPublisher.encode(sent, ReportWire.SMILE)));
      }
    }
    return all;
  }

  /** What the probe's HTTP publisher sends. */
  private static byte[] gzipJson(Report report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 8192)) {
      Json.mapper().writeValue(gzip, report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** What the HTTP server does with {@code Content-Encoding: gzip} before the controller runs. */
  private static byte[] inflate(byte[] gzip) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 8192)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The collector under test, as a transport and the tick scheduler see it. */
  private interface Sink {
    void ingest(Report r, long now);

    ChangeSet tick(long now);

    Graph world();
  }

  /** Figures of one path over the measured intervals. */
  private record Row(String path, int reports, long inflateNs, long decodeNs, long ingestNs,
      long tickNs, long processNs, long allocated, int ticks, double tickP50Ms, double tickP99Ms,
      int nodes, int edges, long changes, long gcMs, long jitMs) {

    long threadNs() {
      return inflateNs + decodeNs + ingestNs + tickNs;
    }
  }

  private static Row run(String name, Wire wire, List<Delivery> deliveries, long tickMs, long measureFrom, Sink sink) {
    System.gc();
    long inflateNs = 0;
    long decodeNs = 0;
    long ingestNs = 0;
    long tickNs = 0;
    int reports = 0;
    long changes = 0;
    List<Double> tickMillis = new ArrayList<>();
    long nextTick = T0;
    long processStart = 0;
    long gcStart = 0;
    long jitStart = 0;
    long allocStart = 0;
    boolean measuring = false;
    long end = deliveries.get(deliveries.size() - 1).at();
    int d = 0;
    while (d < deliveries.size() || nextTick <= end) {
      boolean tickNow = d >= deliveries.size() || nextTick < deliveries.get(d).at();
      if (!measuring && (tickNow ? nextTick : deliveries.get(d).at()) >= measureFrom) {
        measuring = true;
        processStart = PROCESS.getProcessCpuTime();
        allocStart = THREAD.getCurrentThreadAllocatedBytes();
        gcStart = gcMillis();
        jitStart = jitMillis();
      }
      if (tickNow) {
        long cpu0 = THREAD.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        ChangeSet c = sink.tick(nextTick);
        long wall = System.nanoTime() - wall0;
        long cpu = THREAD.getCurrentThreadCpuTime() - cpu0;
        if (measuring) {
          tickNs += cpu;
          tickMillis.add(wall / 1e6);
          changes += c.size();
        }
        nextTick += tickMs;
        continue;
      }
      Delivery delivery = deliveries.get(d++);
      long cpu0 = THREAD.getCurrentThreadCpuTime();
      byte[] json = wire.open(wire.body(delivery));
      long cpu1 = THREAD.getCurrentThreadCpuTime();
      Report report = ReportDecoder.decode(json);
      long cpu2 = THREAD.getCurrentThreadCpuTime();
      sink.ingest(report, delivery.at);
      long cpu3 = THREAD.getCurrentThreadCpuTime();
      if (measuring) {
        inflateNs += cpu1 - cpu0;
        decodeNs += cpu2 - cpu1;
        ingestNs += cpu3 - cpu2;
        reports++;
      }
    }
    long processNs = PROCESS.getProcessCpuTime() - processStart;
    long allocated = THREAD.getCurrentThreadAllocatedBytes() - allocStart;
    double[] sorted = tickMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Graph world = sink.world();
    Row row = new Row(name, reports, inflateNs, decodeNs, ingestNs, tickNs, processNs, allocated,
        sorted.length, percentile(sorted, 50), percentile(sorted, 99),
        world.nodes().size(), world.edges().size(), changes, gcMillis() - gcStart, jitMillis() - jitStart);
    System.out.printf(Locale.ROOT, "%s: %d reports, %d ticks, %.1f reports/s per core%n", name,
        reports, sorted.length, reports / (row.threadNs() / 1e9));
    return row;
  }

  /** Inflating and decoding the same measured reports, and nothing else. */
  private static Row decodeOnly(Wire wire, List<Delivery> deliveries, long measureFrom) {
    System.gc();
    long inflateNs = 0;
    long decodeNs = 0;
    int reports = 0;
    long processStart = PROCESS.getProcessCpuTime();
    long allocStart = THREAD.getCurrentThreadAllocatedBytes();
    long gcStart = gcMillis();
    long jitStart = jitMillis();
    for (Delivery delivery : deliveries) {
      if (delivery.at < measureFrom) {
        // Warms the decoder up just as much as the other paths' warm-up does.
        ReportDecoder.decode(wire.open(wire.body(delivery)));
        processStart = PROCESS.getProcessCpuTime();
        allocStart = THREAD.getCurrentThreadAllocatedBytes();
        gcStart = gcMillis();
        jitStart = jitMillis();
        continue;
      }
      long cpu0 = THREAD.getCurrentThreadCpuTime();
      byte[] json = wire.open(wire.body(delivery));
      long cpu1 = THREAD.getCurrentThreadCpuTime();
      ReportDecoder.decode(json);
      long cpu2 = THREAD.getCurrentThreadCpuTime();
      inflateNs += cpu1 - cpu0;
      decodeNs += cpu2 - cpu1;
      reports++;
    }
    long processNs = PROCESS.getProcessCpuTime() - processStart;
    long allocated = THREAD.getCurrentThreadAllocatedBytes() - allocStart;
    return new Row("inflate + decode only (floor), " + wire.label(), reports, inflateNs, decodeNs, 0, 0, processNs,
        allocated, 0, Double.NaN, Double.NaN, 0, 0, 0, gcMillis() - gcStart, jitMillis() - jitStart);
  }

  /** Wall time the collectors have paused the application, all of them, so far. */
  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
  }

  /** Time the JIT compilers have spent so far. */
  private static long jitMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  private static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void printTable(List<Row> rows) {
    System.out.println();
    System.out.println("| path | reports | inflate ms/report | decode ms/report | ingest ms/report "
        + "| tick ms CPU/report | thread CPU ms/report | **reports/s per core** | reports/s per core, "
        + "process CPU (GC, JIT) | GC pause ms/report | JIT ms/report | allocated KiB/report | ticks "
        + "| tick ms p50 / p99 (wall) | world nodes / edges | changes/tick |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      double n = r.reports();
      System.out.printf(Locale.ROOT,
          "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | **%.0f** | %.0f | %.2f | %.2f | %.0f | %d | %s | %s | %s |%n",
          r.path(), r.reports(), r.inflateNs() / 1e6 / n, r.decodeNs() / 1e6 / n,
          r.ingestNs() / 1e6 / n, r.tickNs() / 1e6 / n, r.threadNs() / 1e6 / n,
          n / (r.threadNs() / 1e9), n / (r.processNs() / 1e9), r.gcMs() / n, r.jitMs() / n,
          r.allocated() / 1024.0 / n,
          r.ticks(), r.ticks() == 0 ? "–" : String.format(Locale.ROOT, "%.1f / %.1f", r.tickP50Ms(), r.tickP99Ms()),
          r.nodes() == 0 ? "–" : r.nodes() + " / " + r.edges(),
          r.ticks() == 0 ? "–" : String.format(Locale.ROOT, "%.0f", (double) r.changes() / r.ticks()));
    }
  }
}
