package io.chronoscope.store.memory;

import io.chronoscope.store.MetricStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Series in memory as parallel arrays of times and values (12 bytes a sample, no boxing), each
 * trimmed to the retention when it grows.
 */
public final class MemoryMetricStore implements MetricStore {
  private final long retentionMs;
  /** node → metric → part ("" for a whole series) → samples. */
  private final Map<String, Map<String, Map<String, Series>>> byNode = new ConcurrentHashMap<>();

  public MemoryMetricStore(Duration retention) {
    this.retentionMs = retention.toMillis();
  }

  @Override
  public void record(List<Sample> samples) {
    for (Sample s : samples) {
      byNode.computeIfAbsent(s.node(), n -> new ConcurrentHashMap<>())
          .computeIfAbsent(s.metric(), m -> new ConcurrentHashMap<>())
          .computeIfAbsent(s.part() == null ? "" : s.part(), part -> new Series())
          .add(s.at(), s.value(), retentionMs);
    }
  }

  @Override
  public List<Point> series(String node, String metric, long from, long to, long step) {
    Map<String, Map<String, Series>> metrics = byNode.get(node);
    Map<String, Series> parts = metrics == null ? null : metrics.get(metric);
    if (parts == null) {
      return List.of();
    }
    Map<String, List<Point>> byPart = new HashMap<>();
    parts.forEach((part, series) -> byPart.put(part, series.between(from, to)));
    return MetricStore.combineParts(metric, byPart, from, step);
  }

  @Override
  public Set<String> metricsOf(String node) {
    Map<String, Map<String, Series>> metrics = byNode.get(node);
    return metrics == null ? Set.of() : new TreeSet<>(metrics.keySet());
  }

  /** Drops series with no sample since {@code cutoff}: nodes long gone. */
  public void evictBefore(long cutoff) {
    byNode.values().forEach(metrics -> {
      metrics.values().forEach(parts -> parts.values().removeIf(s -> s.lastAt() < cutoff));
      metrics.values().removeIf(Map::isEmpty);
    });
    byNode.values().removeIf(Map::isEmpty);
  }

  private static final class Series {
    private long[] at = new long[16];
    private float[] value = new float[16];
    private int start;
    private int end;

    synchronized void add(long t, double v, long retentionMs) {
      if (end > start && t <= at[end - 1]) {
        return; // already have this instant (a redelivered tick) or an older one
      }
      if (end == at.length) {
        // Drop what fell out of retention before growing: a steady series stays the same size.
        int keep = start;
        while (keep < end && at[keep] < t - retentionMs) {
          keep++;
        }
        int live = end - keep;
        if (live * 2 > at.length) {
          at = Arrays.copyOf(Arrays.copyOfRange(at, keep, end), at.length * 2);
          value = Arrays.copyOf(Arrays.copyOfRange(value, keep, end), value.length * 2);
        } else {
          System.arraycopy(at, keep, at, 0, live);
          System.arraycopy(value, keep, value, 0, live);
        }
        start = 0;
        end = live;
      }
      at[end] = t;
      value[end] = (float) v;
      end++;
    }

    synchronized List<Point> between(long from, long to) {
      int i = Arrays.binarySearch(at, start, end, from);
      i = i < 0 ? -i - 1 : i;
      List<Point> points = new ArrayList<>();
      for (; i < end && at[i] <= to; i++) {
        points.add(new Point(at[i], value[i]));
      }
      return points;
    }

    synchronized long lastAt() {
      return end > start ? at[end - 1] : Long.MIN_VALUE;
    }
  }
}
