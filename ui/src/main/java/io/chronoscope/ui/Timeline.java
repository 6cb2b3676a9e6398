package io.chronoscope.ui;

import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One window of history as the timeline shows it: change counts per bucket (of the world graph,
 * like {@code /api/v1/timeline}), the deploy markers, and the tape: the change sets of the view
 * drawn between bucket boundaries, which the browser applies to scrub and play without asking the
 * server for whole graphs. Both come from the same states, read once per boundary.
 */
record Timeline(long from, long to, long stepMs, int[] changes, List<TimelineEvent> events, List<ChangeSet> tape) {
  static final int BUCKETS = 120;
  static final int MAX_EVENTS = 1_000;

  /** Reads {@code buckets} + 1 states of [from, to] from the store. */
  static Timeline read(TopologyStore store, TimelineEvents events, FilteredView view, long from, long to,
      int buckets) throws OutOfRetentionException {
    long span = Math.max(1, to - from);
    long step = Math.max(1, (span + buckets - 1) / buckets);
    int n = (int) Math.max(1, (span + step - 1) / step);
    int[] counts = new int[n];
    List<ChangeSet> tape = new ArrayList<>(n);
    Graph world = store.stateAt(from);
    Graph drawn = view.render(world, store.metrics(), from);
    for (int i = 0; i < n; i++) {
      long end = Math.min(from + (i + 1) * step, to);
      Graph nextWorld = store.stateAt(end);
      counts[i] = nextWorld.equals(world) ? 0 : ChangeSet.between(end, world, nextWorld).size();
      Graph nextDrawn = counts[i] == 0 && view.search().metricNames().isEmpty() ? drawn
          : view.render(nextWorld, store.metrics(), end);
      tape.add(ChangeSet.between(end, drawn, nextDrawn));
      world = nextWorld;
      drawn = nextDrawn;
    }
    return new Timeline(from, to, step, counts, events.between(from, to, MAX_EVENTS), List.copyOf(tape));
  }

  /** The tape position (boundary index) at or before {@code at}. */
  int position(long at) {
    if (at <= from) {
      return 0;
    }
    return (int) Math.min(changes.length, (at - from) / stepMs);
  }

  /**
   * A burst is a bucket whose change count stands out: at least twice the median of the non-empty
   * buckets and at least 3 changes, so a steady churn does not make every bucket one.
   */
  List<Long> bursts() {
    int[] nonEmpty = java.util.Arrays.stream(changes).filter(c -> c > 0).sorted().toArray();
    List<Long> starts = new ArrayList<>();
    if (nonEmpty.length == 0) {
      return starts;
    }
    double median = nonEmpty.length % 2 == 1 ? nonEmpty[nonEmpty.length / 2]
        : (nonEmpty[nonEmpty.length / 2 - 1] + nonEmpty[nonEmpty.length / 2]) / 2.0;
    double threshold = Math.max(3, 2 * median);
    boolean inBurst = false;
    for (int i = 0; i < changes.length; i++) {
      boolean hot = changes[i] >= threshold;
      if (hot && !inBurst) {
        // The end of the bucket: by then the burst's changes have happened.
        starts.add(Math.min(to, from + (i + 1) * stepMs));
      }
      inBurst = hot;
    }
    return starts;
  }

  /** The nearest instant of {@code instants} strictly after (or before) {@code at}. */
  static OptionalLong next(List<Long> instants, long at, boolean forward) {
    OptionalLong best = OptionalLong.empty();
    for (long t : instants) {
      if (forward ? t > at && (best.isEmpty() || t < best.getAsLong())
          : t < at && (best.isEmpty() || t > best.getAsLong())) {
        best = OptionalLong.of(t);
      }
    }
    return best;
  }

  List<Long> deployInstants() {
    return events.stream().map(TimelineEvent::at).toList();
  }
}
