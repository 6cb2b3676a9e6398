package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.collector.MetricsRecorder;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.TopologyStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** {@code GET /api/v1/metrics}: a node's series (CPU, memory, connections, ...) over a range. */
@Controller("/api/v1")
public class MetricsQueryController {
  static final int MAX_POINTS = 5_000;
  static final int DEFAULT_POINTS = 500;
  static final long DEFAULT_RANGE_MS = 3_600_000;

  private final MetricStore metrics;
  private final Clock clock;

  public MetricsQueryController(TopologyStore store, Clock clock) {
    this.metrics = store.metrics();
    this.clock = clock;
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Series(String name, String unit, List<MetricStore.Point> points) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record MetricsResponse(String node, String from, String to, long stepMs, List<Series> series) {}

  @Get("/metrics")
  public MetricsResponse metrics(@Nullable @QueryValue String node, @Nullable @QueryValue String name,
      @Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue String step) {
    if (node == null || node.isBlank()) {
      throw ApiException.badParameter("node", "node is required: a node id as in /api/v1/topology answers");
    }
    if (name != null && !name.isBlank() && !MetricsRecorder.UNITS.containsKey(name)) {
      throw ApiException.badParameter("name", "no metric '" + name + "'; known: "
          + new TreeSet<>(MetricsRecorder.UNITS.keySet()));
    }
    long now = clock.millis();
    long toAt = Instants.parse("to", to, now);
    long fromAt = Instants.parse("from", from, toAt - DEFAULT_RANGE_MS);
    if (fromAt > toAt) {
      throw ApiException.badParameter("from", "from (" + Instant.ofEpochMilli(fromAt) + ") is after to ("
          + Instant.ofEpochMilli(toAt) + ")");
    }
    long span = toAt - fromAt;
    long stepMs = Durations.parse("step", step, Math.max(1_000, (span + DEFAULT_POINTS - 1) / DEFAULT_POINTS));
    if (span / stepMs > MAX_POINTS) {
      throw ApiException.badParameter("step", "from " + Instant.ofEpochMilli(fromAt) + " to "
          + Instant.ofEpochMilli(toAt) + " in steps of " + Duration.ofMillis(stepMs) + " is " + span / stepMs
          + " points; the limit is " + MAX_POINTS + ": use a step of at least "
          + Duration.ofMillis((span + MAX_POINTS - 1) / MAX_POINTS));
    }
    Set<String> known = metrics.metricsOf(node);
    if (known.isEmpty()) {
      throw new ApiException(HttpStatus.NOT_FOUND, "node", "no metrics recorded for node '" + node + "'");
    }
    List<Series> series = new ArrayList<>();
    for (String metric : name == null || name.isBlank() ? known : Set.of(name)) {
      series.add(new Series(metric, MetricsRecorder.UNITS.getOrDefault(metric, ""),
          metrics.series(node, metric, fromAt, toAt, stepMs)));
    }
    return new MetricsResponse(node, Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        stepMs, series);
  }
}
