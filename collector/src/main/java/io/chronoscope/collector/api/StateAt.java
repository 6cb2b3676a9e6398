package io.chronoscope.collector.api;

import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.Graph;
import io.micronaut.http.HttpStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The world graph at an instant asked for by a parameter; an instant the store cannot answer for
 * is a 404 that names the parameter and states the retained range.
 */
final class StateAt {
  /** Requests a little ahead of now are "now": clocks of browser and server differ slightly. */
  private static final long FUTURE_TOLERANCE_MS = 5_000;

  private final TopologyStore store;

  StateAt(TopologyStore store) {
    this.store = store;
  }

  Graph world(String parameter, long at, long now) {
    TimeRange retained = store.retained();
    try {
      if (at > now + FUTURE_TOLERANCE_MS) {
        throw new OutOfRetentionException(at, retained.isEmpty() ? retained : new TimeRange(retained.from(), now));
      }
      return store.stateAt(at);
    } catch (OutOfRetentionException e) {
      throw outside(parameter, e, retained, now);
    }
  }

  /** Checks that the store can answer for {@code at} without reading the state there. */
  void check(String parameter, long at, long now) {
    TimeRange retained = store.retained();
    if (retained.isEmpty() || at < retained.from() || at > now + FUTURE_TOLERANCE_MS) {
      throw outside(parameter, new OutOfRetentionException(at,
          retained.isEmpty() ? retained : new TimeRange(retained.from(), Math.max(retained.to(), now))), retained, now);
    }
  }

  static ApiException outside(String parameter, OutOfRetentionException e, TimeRange retained, long now) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (!retained.isEmpty()) {
      details.put("retained", Map.of(
          "from", Instant.ofEpochMilli(retained.from()).toString(),
          "to", Instant.ofEpochMilli(Math.max(retained.to(), now)).toString()));
    }
    return new ApiException(HttpStatus.NOT_FOUND, parameter, e.getMessage(), details);
  }
}
