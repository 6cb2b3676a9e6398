package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.NodeIds;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.MetricStore.Sample;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the reports a tick merged into metric samples for the nodes of the graph: CPU, memory,
 * connections, RTT and retransmits of processes and containers, the same summed over pods and
 * workloads, and CPU, memory and load of hosts. The graph keeps what exists and who talks to
 * whom; how busy each node is lives here, so a changing number never costs the topology a delta.
 *
 * <p>Samples are taken at most once per {@code intervalMs} (a Prometheus-like resolution; the
 * probe's counters are averages over their own interval anyway). A store that fails to take them
 * costs those samples, never the tick: the topology is already stored when this runs.
 *
 * <p>A workload's pods may run on hosts that report to different collectors (a Kafka consumer
 * group splits hosts between them). Each collector then records its share of the workload's
 * figures as a part named after its shard, and reads add the parts up ({@link MetricStore}).
 */
public final class MetricsRecorder implements Collector.TickListener {
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String CONNECTIONS = "connections";
  public static final String RTT = "rtt";
  public static final String RETRANSMITS = "retransmits";
  public static final String LOAD = "load1";
  /** What each metric measures, for API answers and charts. */
  public static final Map<String, String> UNITS = Map.of(CPU, "percent of one core", MEMORY, "bytes",
      CONNECTIONS, "count", RTT, "milliseconds", RETRANSMITS, "count", LOAD, "runnable tasks");

  private static final System.Logger LOG = System.getLogger(MetricsRecorder.class.getName());

  private final Collector collector;
  private final MetricStore store;
  private final long intervalMs;
  private final String part;
  private final Counter recorded;
  private final Counter dropped;
  private long lastAt = Long.MIN_VALUE;

  public MetricsRecorder(Collector collector, MetricStore store, long intervalMs, MeterRegistry registry) {
    this(collector, store, intervalMs, null, registry);
  }

  /**
   * @param part the shard this collector writes when it is one of several sharing one store (its
   *             workload figures are then a part of the whole); null when it sees every host
   */
  public MetricsRecorder(Collector collector, MetricStore store, long intervalMs, String part,
      MeterRegistry registry) {
    this.collector = collector;
    this.store = store;
    this.intervalMs = intervalMs;
    this.part = part;
    this.recorded = Counter.builder("chronoscope.metrics.samples").description("Metric samples stored")
        .register(registry);
    this.dropped = Counter.builder("chronoscope.metrics.samples.dropped")
        .description("Metric samples the store could not take").register(registry);
  }

  @Override
  public void stored(Collection<Report> merged, ChangeSet changes) {
    long at = changes.at();
    if (lastAt != Long.MIN_VALUE && at - lastAt < intervalMs) {
      return;
    }
    lastAt = at;
    List<Sample> samples = samples(merged, collector.world(), at, part);
    try {
      store.record(samples);
      recorded.increment(samples.size());
    } catch (RuntimeException e) {
      dropped.increment(samples.size());
      LOG.log(System.Logger.Level.WARNING, "dropped " + samples.size() + " metric samples: " + e.getMessage());
    }
  }

  /**
   * The samples of one tick; {@code world} says which pod and workload each container belongs to,
   * {@code part} names this collector's share of workloads (null: it sees them whole).
   */
  static List<Sample> samples(Collection<Report> reports, Graph world, long at, String part) {
    List<Sample> out = new ArrayList<>();
    Map<String, double[]> pods = new HashMap<>();
    Map<String, double[]> workloads = new HashMap<>();
    for (Report r : reports) {
      if (r.host() != null) {
        String host = NodeIds.host(r.hostId());
        if (r.host().cpuPercent() != null) {
          out.add(new Sample(host, CPU, at, r.host().cpuPercent()));
        }
        if (r.host().memoryAvailableBytes() != null) {
          out.add(new Sample(host, MEMORY, at, r.host().memoryTotalBytes() - r.host().memoryAvailableBytes()));
        }
        out.add(new Sample(host, LOAD, at, r.host().load1()));
      }
      Map<Integer, double[]> byPid = connectionFigures(r.connections());
      Map<String, double[]> byContainer = new HashMap<>();
      for (ProcessInfo p : r.processes()) {
        if (p.exitedAt() != null) {
          continue;
        }
        double[] c = byPid.getOrDefault(p.pid(), new double[4]);
        String id = NodeIds.process(r.hostId(), p.pid(), p.startTime());
        double[] figures = {p.cpuPercent(), p.rssBytes(), c[0], c[1], c[2], c[3]};
        add(out, id, at, figures);
        if (p.containerId() != null) {
          sum(byContainer.computeIfAbsent(p.containerId(), k -> new double[6]), figures);
        }
      }
      for (ContainerInfo c : r.containers()) {
        double[] figures = byContainer.getOrDefault(c.id(), new double[6]);
        // The cgroup's own figures count every process in it, also ones started between scans.
        if (c.cpuPercent() != null) {
          figures[0] = c.cpuPercent();
        }
        if (c.memoryBytes() != null) {
          figures[1] = c.memoryBytes();
        }
        String id = NodeIds.container(r.hostId(), c.id());
        add(out, id, at, figures);
        Node container = world.node(id);
        Object pod = container == null ? null : container.attrs().get("pod");
        if (pod != null) {
          // A pod runs on one host, so one collector sees all of it.
          sum(pods.computeIfAbsent(pod.toString(), k -> new double[6]), figures);
          Node podNode = world.node(pod.toString());
          if (podNode != null && Kinds.POD.equals(podNode.kind())) {
            sum(workloads.computeIfAbsent(workloadId(podNode), k -> new double[6]), figures);
          }
        }
      }
    }
    pods.forEach((id, figures) -> add(out, id, at, figures, null));
    workloads.forEach((id, figures) -> add(out, id, at, figures, part));
    return out;
  }

  /** The id the workloads view gives a pod's workload. */
  static String workloadId(Node pod) {
    Views.Workload w = Views.workloadOf(pod.label(), Labels.of(pod));
    return "<workload>;" + pod.attrs().get("namespace") + "/" + w.kind() + "/" + w.name();
  }

  /** Per pid: established connections, RTT sum (ms) and count, retransmits. */
  private static Map<Integer, double[]> connectionFigures(List<Connection> connections) {
    Map<Integer, double[]> byPid = new HashMap<>();
    for (Connection c : connections) {
      if (c.pid() == null || Connection.LISTEN.equals(c.state()) || c.closedAt() != null) {
        continue;
      }
      double[] f = byPid.computeIfAbsent(c.pid(), k -> new double[4]);
      f[0]++;
      if (c.rttMicros() != null) {
        f[1] += c.rttMicros() / 1000.0;
        f[2]++;
      }
      if (c.retransmits() != null) {
        f[3] += c.retransmits();
      }
    }
    return byPid;
  }

  /** figures: cpu, memory, connections, rtt sum, rtt count, retransmits. */
  private static void add(List<Sample> out, String node, long at, double[] f) {
    add(out, node, at, f, null);
  }

  private static void add(List<Sample> out, String node, long at, double[] f, String part) {
    out.add(new Sample(node, CPU, at, f[0], part));
    out.add(new Sample(node, MEMORY, at, f[1], part));
    out.add(new Sample(node, CONNECTIONS, at, f[2], part));
    if (f[4] > 0) {
      out.add(new Sample(node, RTT, at, f[3] / f[4], part));
    }
    out.add(new Sample(node, RETRANSMITS, at, f[5], part));
  }

  private static void sum(double[] into, double[] f) {
    for (int i = 0; i < into.length; i++) {
      into[i] += f[i];
    }
  }
}
