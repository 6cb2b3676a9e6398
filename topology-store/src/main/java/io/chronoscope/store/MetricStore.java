package io.chronoscope.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Set;

/**
 * Numeric series per topology node (CPU, memory, connections of a process, container, pod,
 * workload or host), kept beside the graph's history with the same retention. A series is a node
 * id and a metric name.
 */
public interface MetricStore {
  MetricStore NONE = new MetricStore() {
    @Override
    public void record(List<Sample> samples) {}

    @Override
    public List<Point> series(String node, String metric, long from, long to, long step) {
      return List.of();
    }

    @Override
    public Set<String> metricsOf(String node) {
      return Set.of();
    }
  };

  /** One value of one series at one instant. */
  record Sample(String node, String metric, long at, double value) {}

  /** A point as read back: with a step, the mean of the samples in (at - step, at]. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Point(long at, double value) {}

  /** Stores the samples; one already stored (same series and instant) is left as it was. */
  void record(List<Sample> samples);

  /**
   * The series in [from, to], oldest first: every sample when {@code step} is 0, else one point
   * per step that has samples, the mean of them, stamped with the step's end.
   */
  List<Point> series(String node, String metric, long from, long to, long step);

  /** The metrics recorded for a node, whatever the time. */
  Set<String> metricsOf(String node);

  /** The mean of each step of {@code raw} (sorted by time), as {@link #series} defines it. */
  static List<Point> downsample(List<Point> raw, long from, long step) {
    if (step <= 0 || raw.isEmpty()) {
      return raw;
    }
    List<Point> out = new java.util.ArrayList<>();
    long bucket = Long.MIN_VALUE;
    double sum = 0;
    int n = 0;
    for (Point p : raw) {
      long b = Math.max(0, (p.at() - from - 1) / step + (p.at() > from ? 1 : 0));
      if (b != bucket && n > 0) {
        out.add(new Point(from + bucket * step, sum / n));
        sum = 0;
        n = 0;
      }
      bucket = b;
      sum += p.value();
      n++;
    }
    out.add(new Point(from + bucket * step, sum / n));
    return out;
  }
}
