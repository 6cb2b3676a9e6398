package io.chronoscope.store;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How much changed in one time bucket, summed over the stored ticks in it: the timeline's
 * change-density histogram. Counted when stored, so a bucket of a week-long timeline costs the
 * store a sum, not a replay.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ChangeCounts(long from, long to, int ticks, int nodesAdded, int nodesRemoved, int nodesChanged,
    int edgesAdded, int edgesRemoved, int edgesChanged) {

  public static ChangeCounts empty(long from, long to) {
    return new ChangeCounts(from, to, 0, 0, 0, 0, 0, 0, 0);
  }

  public int changes() {
    return nodesAdded + nodesRemoved + nodesChanged + edgesAdded + edgesRemoved + edgesChanged;
  }

  /** The counts of one stored change set, as the column order the stores keep them in. */
  public static int[] of(io.chronoscope.topology.ChangeSet c) {
    return new int[] {c.addedNodes().size(), c.removedNodes().size(), c.changedNodes().size(),
        c.addedEdges().size(), c.removedEdges().size(), c.changedEdges().size()};
  }

  ChangeCounts plus(int[] counts) {
    return new ChangeCounts(from, to, ticks + 1, nodesAdded + counts[0], nodesRemoved + counts[1],
        nodesChanged + counts[2], edgesAdded + counts[3], edgesRemoved + counts[4], edgesChanged + counts[5]);
  }

  /** Buckets of {@code step} from {@code from}; the last one ends at {@code to}. */
  public static ChangeCounts[] buckets(long from, long to, long step) {
    int n = (int) Math.max(1, (to - from + step - 1) / step);
    ChangeCounts[] buckets = new ChangeCounts[n];
    for (int i = 0; i < n; i++) {
      long start = from + i * step;
      buckets[i] = empty(start, Math.min(start + step, to));
    }
    return buckets;
  }

  /** Adds one tick at {@code at} (from < at ≤ to) to its bucket: (start, end] like the change stream. */
  public static void add(ChangeCounts[] buckets, long from, long step, long at, int[] counts) {
    int i = (int) Math.max(0, Math.min(buckets.length - 1, (at - from - 1) / step));
    buckets[i] = buckets[i].plus(counts);
  }
}
