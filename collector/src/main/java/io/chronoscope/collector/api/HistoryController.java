package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The world graph's history between two instants: the change stream for scrubbing and playback
 * ({@code /changes}) and change counts per time bucket for the timeline ({@code /timeline}).
 *
 * <p>The store SPI answers states, not its deltas, so both diff the states at {@code step}
 * boundaries: a change set holds what changed within one step (net: a node that came and went
 * inside one step is not in it). Every state costs the store a keyframe plus deltas, hence the
 * limits on steps.
 */
@Controller("/api/v1")
public class HistoryController {
  static final long DEFAULT_CHANGES_STEP_MS = 1_000;
  static final int MAX_CHANGE_STEPS = 600;
  static final int MAX_CHANGES = 100_000;
  static final int MAX_TIMELINE_BUCKETS = 500;
  static final int DEFAULT_TIMELINE_BUCKETS = 100;

  private final TopologyStore store;
  private final StateAt stateAt;
  static final int MAX_TIMELINE_EVENTS = 1_000;

  private final Clock clock;
  private final TimelineEvents events;

  public HistoryController(TopologyStore store, Clock clock, @Nullable TimelineEvents events) {
    this.store = store;
    this.stateAt = new StateAt(store);
    this.clock = clock;
    this.events = events == null ? TimelineEvents.NONE : events;
  }

  /**
   * Change sets in playback order. Backwards ({@code from} after {@code to}) each one turns the
   * graph at its step's later end into the graph at its earlier end, and {@code at} is that
   * earlier instant: the UI applies them in order either way.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ChangesResponse(String from, String to, long stepMs, String direction, int changeCount,
      List<ChangeSet> changes) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Bucket(String from, String to, int changes, int nodesAdded, int nodesRemoved,
      int nodesChanged, int edgesAdded, int edgesRemoved, int edgesChanged) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record TimelineResponse(String from, String to, long stepMs, List<Bucket> buckets,
      List<TimelineEvent> events) {}

  @Get("/changes")
  public ChangesResponse changes(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
      @Nullable @QueryValue String step) {
    long now = clock.millis();
    if (from == null || from.isBlank()) {
      throw ApiException.badParameter("from", "from is required (RFC 3339 or epoch milliseconds)");
    }
    long fromAt = Instants.parse("from", from, now);
    long toAt = Instants.parse("to", to, now);
    long stepMs = Durations.parse("step", step, DEFAULT_CHANGES_STEP_MS);
    long span = Math.abs(toAt - fromAt);
    long steps = steps(span, stepMs);
    if (steps > MAX_CHANGE_STEPS) {
      throw ApiException.badParameter("step", "from " + Instant.ofEpochMilli(fromAt) + " to "
          + Instant.ofEpochMilli(toAt) + " in steps of " + Duration.ofMillis(stepMs) + " is " + steps
          + " steps; the limit is " + MAX_CHANGE_STEPS + ": use a step of at least "
          + Duration.ofMillis(ceilDiv(span, MAX_CHANGE_STEPS)) + " or a shorter range");
    }
    long direction = toAt >= fromAt ? 1 : -1;
    Graph previous = stateAt.world("from", fromAt, now);
    Graph last = stateAt.world("to", toAt, now);
    List<ChangeSet> changes = new ArrayList<>();
    int count = 0;
    for (long i = 1; i <= steps; i++) {
      long at = fromAt + direction * Math.min(i * stepMs, span);
      Graph next = at == toAt ? last : stateAt.world("to", at, now);
      ChangeSet step1 = ChangeSet.between(at, previous, next);
      if (!step1.isEmpty()) {
        count += step1.size();
        if (count > MAX_CHANGES) {
          throw ApiException.badParameter("to", "more than " + MAX_CHANGES + " changes from "
              + Instant.ofEpochMilli(fromAt) + " to " + Instant.ofEpochMilli(toAt)
              + "; the limit was reached by " + Instant.ofEpochMilli(at) + ": ask for a shorter range");
        }
        changes.add(step1);
      }
      previous = next;
    }
    return new ChangesResponse(Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        stepMs, direction > 0 ? "forward" : "backward", count, changes);
  }

  @Get("/timeline")
  public TimelineResponse timeline(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
      @Nullable @QueryValue String step) {
    long now = clock.millis();
    TimeRange retained = store.retained();
    long toAt = Instants.parse("to", to, now);
    long fromAt = Instants.parse("from", from, retained.isEmpty() ? toAt : retained.from());
    if (fromAt > toAt) {
      throw ApiException.badParameter("from", "from (" + Instant.ofEpochMilli(fromAt)
          + ") is after to (" + Instant.ofEpochMilli(toAt) + ")");
    }
    long span = toAt - fromAt;
    long stepMs = Durations.parse("step", step, Math.max(1_000, ceilDiv(span, DEFAULT_TIMELINE_BUCKETS)));
    long buckets = steps(span, stepMs);
    if (buckets > MAX_TIMELINE_BUCKETS) {
      throw ApiException.badParameter("step", "from " + Instant.ofEpochMilli(fromAt) + " to "
          + Instant.ofEpochMilli(toAt) + " in steps of " + Duration.ofMillis(stepMs) + " is " + buckets
          + " buckets; the limit is " + MAX_TIMELINE_BUCKETS + ": use a step of at least "
          + Duration.ofMillis(ceilDiv(span, MAX_TIMELINE_BUCKETS)));
    }
    Graph previous = stateAt.world("from", fromAt, now);
    List<Bucket> result = new ArrayList<>();
    for (long i = 0; i < buckets; i++) {
      long start = fromAt + i * stepMs;
      long end = Math.min(start + stepMs, toAt);
      Graph next = stateAt.world(end == toAt ? "to" : "step", end, now);
      ChangeSet c = ChangeSet.between(end, previous, next);
      result.add(new Bucket(Instant.ofEpochMilli(start).toString(), Instant.ofEpochMilli(end).toString(),
          c.size(), c.addedNodes().size(), c.removedNodes().size(), c.changedNodes().size(),
          c.addedEdges().size(), c.removedEdges().size(), c.changedEdges().size()));
      previous = next;
    }
    return new TimelineResponse(Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        stepMs, result, events.between(fromAt, toAt, MAX_TIMELINE_EVENTS));
  }

  private static long steps(long span, long stepMs) {
    return ceilDiv(span, stepMs);
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
