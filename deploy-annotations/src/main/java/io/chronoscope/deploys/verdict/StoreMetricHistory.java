package io.chronoscope.deploys.verdict;

import io.chronoscope.store.MetricStore;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deploy target's metrics from the series the collector records for its workload node
 * ({@code <workload>;namespace/kind/name}, summed over the workload's pods). Metrics the collector
 * does not record (restarts, failed connections, bytes per second) and targets that are not a
 * workload (a bare service) have no history here, so a verdict does not judge by them.
 */
public final class StoreMetricHistory implements MetricHistory {
  /** Verdict metric names to the collector's series names. */
  static final Map<String, String> SERIES = Map.of(
      "cpu_percent", "cpu", "memory_bytes", "memory", "connections", "connections", "rtt_ms", "rtt");

  private final MetricStore metrics;
  private final TopologyStore topology;

  /** @param topology where the target's pods are found, for old-against-new pod comparisons */
  public StoreMetricHistory(MetricStore metrics, TopologyStore topology) {
    this.metrics = metrics;
    this.topology = topology;
  }

  @Override
  public double[] values(String target, String metric, long from, long to, long step) {
    return series(workloadNode(target), metric, from, to, step);
  }

  /**
   * The target's pods that ran at the start or the end of the range, each with its own series and
   * its revision: the pod template hash (Deployments) or controller revision hash (StatefulSets,
   * DaemonSets) its controller labelled it with.
   */
  @Override
  public Map<String, Instance> instances(String target, String metric, long from, long to, long step) {
    String node = workloadNode(target);
    if (node == null || !SERIES.containsKey(metric)) {
      return Map.of();
    }
    Map<String, Instance> pods = new LinkedHashMap<>();
    for (long at : new long[] {from, to}) {
      Graph world;
      try {
        world = topology.stateAt(Math.min(at, topology.retained().to()));
      } catch (OutOfRetentionException e) {
        continue;
      }
      for (Node pod : world.nodes().values()) {
        if (!Kinds.POD.equals(pod.kind()) || pods.containsKey(pod.id())) {
          continue;
        }
        Map<String, String> labels = Labels.of(pod);
        Views.Workload w = Views.workloadOf(pod.label(), labels);
        String revision = labels.getOrDefault("pod-template-hash", labels.get("controller-revision-hash"));
        if (revision != null && node.equals("<workload>;" + pod.attrs().get("namespace") + "/" + w.kind() + "/" + w.name())) {
          pods.put(pod.id(), new Instance(revision, series(pod.id(), metric, from, to, step)));
        }
      }
    }
    return pods;
  }

  private double[] series(String node, String metric, long from, long to, long step) {
    String series = SERIES.get(metric);
    if (series == null || node == null || step <= 0 || to <= from) {
      return new double[0];
    }
    double[] values = new double[(int) ((to - from + step - 1) / step)];
    Arrays.fill(values, Double.NaN);
    // Each point is the mean of (at - step, at]: it describes the step that starts a step earlier.
    List<MetricStore.Point> points = metrics.series(node, series, from, to, step);
    for (MetricStore.Point p : points) {
      int i = (int) ((p.at() - from) / step) - 1;
      if (i >= 0 && i < values.length) {
        values[i] = p.value();
      }
    }
    return values;
  }

  /**
   * The workload node of a target key ({@code [cluster/]namespace/kind/name}); null for a
   * service-only key ({@code environment/service}).
   */
  static String workloadNode(String target) {
    String[] parts = target.split("/");
    if (parts.length < 3) {
      return null;
    }
    int n = parts.length;
    return "<workload>;" + parts[n - 3] + "/" + parts[n - 2].toLowerCase(Locale.ROOT) + "/" + parts[n - 1];
  }
}
