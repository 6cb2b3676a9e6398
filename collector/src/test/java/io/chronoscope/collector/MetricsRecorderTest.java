package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.NodeIds;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.MetricStore.Point;
import io.chronoscope.store.memory.MemoryMetricStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two api pods of one deployment (replica set hash in the pod name) on host a, each a container
 * with one java process: the samples of processes, containers, pods, the workload and the host.
 */
class MetricsRecorderTest {
  private static final long T0 = 1_800_000_000_000L;

  @Test
  void processesContainersPodsWorkloadsAndHostsGetSeriesSummedUpwards() {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(store, registry);
    collector.addTickListener(new MetricsRecorder(collector, store.metrics(), 10_000, registry));

    Reports a = host();
    for (int i = 0; i < 4; i++) {
      long at = T0 + i * 5_000L;
      collector.ingest(withUsage(a.at(at), 10 + i, 20), at);
      collector.tick(at);
    }

    MetricStore metrics = store.metrics();
    String process = NodeIds.process("a", 10, 1010);
    // Every 10 s: the ticks at 0 s and 10 s, not 5 s or 15 s.
    assertThat(metrics.series(process, MetricsRecorder.CPU, T0, T0 + 20_000, 0))
        .containsExactly(new Point(T0, 10), new Point(T0 + 10_000, 12));
    assertThat(metrics.series(process, MetricsRecorder.MEMORY, T0, T0, 0)).containsExactly(new Point(T0, 20 << 20));
    assertThat(metrics.series(process, MetricsRecorder.CONNECTIONS, T0, T0, 0)).containsExactly(new Point(T0, 1));
    String pod = NodeIds.pod("uid-api-7d4b9c6f5-x2x9z");
    assertThat(metrics.series(pod, MetricsRecorder.CPU, T0, T0, 0)).containsExactly(new Point(T0, 10));
    String workload = "<workload>;shop/deployment/api";
    assertThat(metrics.series(workload, MetricsRecorder.CPU, T0, T0, 0))
        .as("both pods' processes").containsExactly(new Point(T0, 20));
    assertThat(metrics.series(workload, MetricsRecorder.MEMORY, T0, T0, 0)).containsExactly(new Point(T0, 40 << 20));
    assertThat(metrics.metricsOf(NodeIds.host("a"))).as("this probe reports no host CPU or free memory")
        .containsExactly(MetricsRecorder.LOAD);
    assertThat(registry.counter("chronoscope.metrics.samples").count()).isPositive();
  }

  @Test
  void collectorsThatEachSeeSomeOfAWorkloadsHostsRecordPartsThatReadAsTheWhole() {
    // Two collectors of one Kafka group over one database: each writes its own topology shard,
    // both write the one metric store, and each sees one of the workload's two hosts.
    MemoryMetricStore shared = new MemoryMetricStore(Duration.ofHours(1));
    Collector first = collectorRecordingInto(shared, "collector-a");
    Collector second = collectorRecordingInto(shared, "collector-b");
    Reports hostA = onHost("a", "x2x9z");
    Reports hostB = onHost("b", "k8s2p");
    for (int i = 0; i < 3; i++) {
      long at = T0 + i * 10_000L;
      first.ingest(withUsage(hostA.at(at), 10, 20), at);
      first.tick(at);
      // The other collector ticks at its own phase.
      second.ingest(withUsage(hostB.at(at + 3_000), 30, 20), at + 3_000);
      second.tick(at + 3_000);
    }
    String workload = "<workload>;shop/deployment/api";
    // Per 10 s: the first bucket holds only the first collector's share (the second had not
    // recorded yet), every later one both, the last with the first's previous sample.
    assertThat(shared.series(workload, MetricsRecorder.CPU, T0 - 10_000, T0 + 30_000, 0))
        .as("both hosts' pods, added up per 10 s").extracting(Point::value).containsExactly(10.0, 40.0, 40.0, 40.0);
    assertThat(shared.series(workload, MetricsRecorder.MEMORY, T0 - 10_000, T0 + 50_000, 30_000))
        .extracting(Point::value).containsExactly((double) (40 << 20), (double) (40 << 20));
    assertThat(shared.series(NodeIds.pod("uid-api-7d4b9c6f5-k8s2p"), MetricsRecorder.CPU, T0, T0 + 30_000, 0))
        .as("a pod is on one host: whole, at its collector's own instants")
        .containsExactly(new Point(T0 + 3_000, 30), new Point(T0 + 13_000, 30), new Point(T0 + 23_000, 30));
  }

  private static Collector collectorRecordingInto(MemoryMetricStore metrics, String part) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)), registry);
    collector.addTickListener(new MetricsRecorder(collector, metrics, 10_000, part, registry));
    return collector;
  }

  private static Reports onHost(String host, String podSuffix) {
    return Reports.host(host).address(host.equals("a") ? "10.1.0.1" : "10.1.0.2")
        .inNamespace(501).pod("c-" + podSuffix, "shop", "api-7d4b9c6f5-" + podSuffix, "api",
            host.equals("a") ? "10.64.1.5" : "10.64.2.5")
        .containerProcess(10, "java", "c-" + podSuffix);
  }

  @Test
  void aStoreThatFailsCostsTheSamplesNotTheTick() {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(store, registry);
    MetricStore broken = new MetricStore() {
      @Override
      public void record(List<Sample> samples) {
        throw new IllegalStateException("database down");
      }

      @Override
      public List<Point> series(String node, String metric, long from, long to, long step) {
        return List.of();
      }

      @Override
      public java.util.Set<String> metricsOf(String node) {
        return java.util.Set.of();
      }
    };
    collector.addTickListener(new MetricsRecorder(collector, broken, 0, registry));
    collector.ingest(host().at(T0), T0);

    collector.tick(T0);

    assertThat(collector.world().nodes()).isNotEmpty();
    assertThat(registry.counter("chronoscope.metrics.samples.dropped").count()).isPositive();
  }

  private static Reports host() {
    return Reports.host("a").address("10.1.0.1")
        .inNamespace(501).pod("c-api", "shop", "api-7d4b9c6f5-x2x9z", "api", "10.64.1.5")
        .containerProcess(10, "java", "c-api")
        .connect(10, "10.64.1.5", 40000, "10.64.2.9", 5432)
        .inNamespace(502).pod("c-api2", "shop", "api-7d4b9c6f5-k8s2p", "api", "10.64.1.6")
        .containerProcess(11, "java", "c-api2");
  }

  private static Report withUsage(Report r, double cpu, int rssMiB) {
    List<ProcessInfo> processes = r.processes().stream()
        .map(p -> new ProcessInfo(p.pid(), p.ppid(), p.startTime(), p.startedAt(), p.comm(), p.cmdline(), p.user(),
            cpu, (long) rssMiB << 20, p.threads(), p.openFds(), p.cgroup(), p.netNamespace(), p.containerId(),
            p.exitedAt(), p.exitCode()))
        .toList();
    return new Report(r.hostId(), r.probeId(), r.seq(), r.timestamp(), r.intervalMs(), r.host(), processes,
        r.connections(), r.containers(), r.nat());
  }
}
