package io.chronoscope.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
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

  /**
   * One value of one series at one instant.
   *
   * @param part null for a node whose figures one collector sees whole; for a node whose figures
   *             come from several collectors (a workload whose pods run on hosts of different
   *             shards), the name of the collector this share comes from: reads add the parts up
   */
  record Sample(String node, String metric, long at, double value, String part) {
    public Sample(String node, String metric, long at, double value) {
      this(node, metric, at, value, null);
    }
  }

  /**
   * The finest step at which the parts of a series are added up: each collector records every
   * 10 s at its own phase, so parts only line up in buckets at least that long.
   */
  long PART_STEP_MS = 10_000;

  /** Metrics whose parts are averaged, not added (a mean round-trip time). */
  Set<String> AVERAGED = Set.of("rtt");

  /** A point as read back: with a step, the mean of the samples in (at - step, at]. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Point(long at, double value) {}

  /** Stores the samples; one already stored (same series and instant) is left as it was. */
  void record(List<Sample> samples);

  /**
   * The series in [from, to], oldest first: every sample when {@code step} is 0, else one point
   * per step that has samples, the mean of them, stamped with the step's end. A series recorded
   * in parts is the sum of its parts (the mean, for {@link #AVERAGED} metrics) per step of at
   * least {@link #PART_STEP_MS}.
   */
  List<Point> series(String node, String metric, long from, long to, long step);

  /** The metrics recorded for a node, whatever the time. */
  Set<String> metricsOf(String node);

  /**
   * The parts of one series added up per step, as {@link #series} defines it; {@code byPart}
   * holds each part's samples sorted by time (the whole series, when it was not recorded in
   * parts, under any key). A part without a point in a step counts with its point of the step
   * before, if any: two collectors' 10 s phases do not always put a sample of each in every bucket.
   */
  static List<Point> combineParts(String metric, Map<String, List<Point>> byPart, long from, long step) {
    if (byPart.isEmpty()) {
      return List.of();
    }
    if (byPart.size() == 1) {
      return downsample(byPart.values().iterator().next(), from, step);
    }
    long bucket = Math.max(step, PART_STEP_MS);
    List<List<Point>> parts = byPart.values().stream().map(raw -> downsample(raw, from, bucket)).toList();
    java.util.TreeSet<Long> times = new java.util.TreeSet<>();
    parts.forEach(points -> points.forEach(p -> times.add(p.at())));
    boolean averaged = AVERAGED.contains(metric);
    List<Point> out = new java.util.ArrayList<>(times.size());
    int[] next = new int[parts.size()];
    for (long at : times) {
      double sum = 0;
      int n = 0;
      for (int i = 0; i < parts.size(); i++) {
        List<Point> points = parts.get(i);
        while (next[i] < points.size() && points.get(next[i]).at() < at) {
          next[i]++;
        }
        Point p = next[i] < points.size() && points.get(next[i]).at() == at ? points.get(next[i])
            : next[i] > 0 && at - points.get(next[i] - 1).at() <= bucket ? points.get(next[i] - 1) : null;
        if (p != null) {
          sum += p.value();
          n++;
        }
      }
      out.add(new Point(at, averaged ? sum / n : sum));
    }
    return out;
  }

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
