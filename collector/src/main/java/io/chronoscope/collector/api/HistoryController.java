package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.store.ChangeCounts;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
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
 * Both read what the store kept of each tick (its change set, or the counts of it), so their cost
 * is what changed in the range, never a rebuilt state.
 */
@Controller("/api/v1")
public class HistoryController {
  static final int MAX_CHANGE_STEPS = 600;
  static final int MAX_CHANGES = 100_000;
  static final int MAX_TIMELINE_BUCKETS = 500;
  static final int DEFAULT_TIMELINE_BUCKETS = 100;
  static final int MAX_TIMELINE_EVENTS = 1_000;

  private final TopologyStore store;
  private final StateAt stateAt;
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
   * graph at its later instant into the graph at its earlier one, and {@code at} is that earlier
   * instant: the UI applies them in order either way. {@code stepMs} is 0 when every stored tick
   * is its own change set.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ChangesResponse(String from, String to, long stepMs, String direction, int changeCount,
      List<ChangeSet> changes) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Bucket(String from, String to, int ticks, int changes, int nodesAdded, int nodesRemoved,
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
    long stepMs = step == null || step.isBlank() ? 0 : Durations.parse("step", step, 0);
    long span = Math.abs(toAt - fromAt);
    if (stepMs > 0 && ceilDiv(span, stepMs) > MAX_CHANGE_STEPS) {
      throw ApiException.badParameter("step", "from " + Instant.ofEpochMilli(fromAt) + " to "
          + Instant.ofEpochMilli(toAt) + " in steps of " + Duration.ofMillis(stepMs) + " is "
          + ceilDiv(span, stepMs) + " steps; the limit is " + MAX_CHANGE_STEPS + ": use a step of at least "
          + Duration.ofMillis(ceilDiv(span, MAX_CHANGE_STEPS)) + ", no step, or a shorter range");
    }
    boolean forward = toAt >= fromAt;
    long lower = Math.min(fromAt, toAt);
    long upper = Math.max(fromAt, toAt);
    stateAt.check(forward ? "from" : "to", lower, now);
    stateAt.check(forward ? "to" : "from", upper, now);
    List<ChangeSet> stored;
    try {
      stored = store.changes(lower, upper, MAX_CHANGES);
    } catch (OutOfRetentionException e) {
      throw StateAt.outside(forward ? "from" : "to", e, store.retained(), now);
    }
    int count = stored.stream().mapToInt(ChangeSet::size).sum();
    if (count > MAX_CHANGES) {
      throw ApiException.badParameter("to", "more than " + MAX_CHANGES + " changes from "
          + Instant.ofEpochMilli(lower) + " to " + Instant.ofEpochMilli(upper)
          + "; the limit was reached by " + Instant.ofEpochMilli(stored.get(stored.size() - 1).at())
          + ": ask for a shorter range");
    }
    List<ChangeSet> changes = forward ? forward(stored, fromAt, toAt, stepMs) : backward(stored, fromAt, toAt, stepMs);
    return new ChangesResponse(Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        stepMs, forward ? "forward" : "backward", changes.stream().mapToInt(ChangeSet::size).sum(), changes);
  }

  /** Each tick as stored, or the net change of each step stamped with the step's end. */
  private static List<ChangeSet> forward(List<ChangeSet> stored, long from, long to, long stepMs) {
    if (stepMs == 0) {
      return stored;
    }
    List<ChangeSet> result = new ArrayList<>();
    List<ChangeSet> group = new ArrayList<>();
    long groupIndex = -1;
    for (ChangeSet c : stored) {
      long i = (c.at() - from - 1) / stepMs + 1;
      if (i != groupIndex && !group.isEmpty()) {
        addNet(result, Math.min(to, from + groupIndex * stepMs), group);
      }
      groupIndex = i;
      group.add(c);
    }
    if (!group.isEmpty()) {
      addNet(result, Math.min(to, from + groupIndex * stepMs), group);
    }
    return result;
  }

  /**
   * Newest first, each undone: a tick's inverse takes the graph back to the previous stored tick
   * (or to {@code to}, the earliest instant asked for); a step's to the step's earlier end.
   */
  private static List<ChangeSet> backward(List<ChangeSet> stored, long from, long to, long stepMs) {
    List<ChangeSet> result = new ArrayList<>();
    if (stepMs == 0) {
      for (int i = stored.size() - 1; i >= 0; i--) {
        long earlier = i > 0 ? stored.get(i - 1).at() : to;
        result.add(stored.get(i).inverse(earlier));
      }
      return result;
    }
    List<ChangeSet> group = new ArrayList<>();
    long groupIndex = -1;
    for (int k = stored.size() - 1; k >= 0; k--) {
      ChangeSet c = stored.get(k);
      long i = (from - c.at()) / stepMs + 1;
      if (i != groupIndex && !group.isEmpty()) {
        addInverse(result, Math.max(to, from - groupIndex * stepMs), group);
      }
      groupIndex = i;
      group.add(0, c);
    }
    if (!group.isEmpty()) {
      addInverse(result, Math.max(to, from - groupIndex * stepMs), group);
    }
    return result;
  }

  private static void addNet(List<ChangeSet> result, long at, List<ChangeSet> group) {
    ChangeSet net = ChangeSet.net(at, group);
    if (!net.isEmpty()) {
      result.add(net);
    }
    group.clear();
  }

  private static void addInverse(List<ChangeSet> result, long at, List<ChangeSet> group) {
    ChangeSet net = ChangeSet.net(at, group);
    if (!net.isEmpty()) {
      result.add(net.inverse(at));
    }
    group.clear();
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
    List<Bucket> result = new ArrayList<>();
    for (ChangeCounts c : store.changeCounts(fromAt, toAt, stepMs)) {
      result.add(new Bucket(Instant.ofEpochMilli(c.from()).toString(), Instant.ofEpochMilli(c.to()).toString(),
          c.ticks(), c.changes(), c.nodesAdded(), c.nodesRemoved(), c.nodesChanged(), c.edgesAdded(),
          c.edgesRemoved(), c.edgesChanged()));
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
