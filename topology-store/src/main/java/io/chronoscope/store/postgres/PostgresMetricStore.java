package io.chronoscope.store.postgres;

import io.chronoscope.store.MetricStore;
import io.chronoscope.store.StoreUnavailableException;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The metric SPI over metric_series + metric_samples: a series is {@code name {node=<id>}}, and
 * each part of a series recorded in parts {@code name {node=<id>, part=<collector>}}.
 */
final class PostgresMetricStore implements MetricStore {
  private final Supplier<MetricSamples> samples;

  PostgresMetricStore(Supplier<MetricSamples> samples) {
    this.samples = samples;
  }

  @Override
  public void record(List<Sample> batch) {
    try {
      samples.get().append(batch.stream()
          .map(s -> new MetricSample(s.metric(), s.part() == null ? Map.of("node", s.node())
              : Map.of("node", s.node(), "part", s.part()), s.at(), s.value())).toList());
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot store " + batch.size() + " metric samples: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Point> series(String node, String metric, long from, long to, long step) {
    try {
      Map<String, List<Point>> byPart = new HashMap<>();
      samples.get().readEveryPart(metric, node, from, to).forEach((part, points) -> byPart.put(part,
          points.stream().map(p -> new Point(p.at(), p.value())).toList()));
      return MetricStore.combineParts(metric, byPart, from, step);
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read metric " + metric + " of " + node + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> metricsOf(String node) {
    try {
      return new TreeSet<>(samples.get().namesOfNode(node));
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot list the metrics of " + node + ": " + e.getMessage(), e);
    }
  }
}
