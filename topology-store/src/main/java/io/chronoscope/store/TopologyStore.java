package io.chronoscope.store;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the world graph through time as keyframes plus deltas, like video: the state at T is the
 * nearest keyframe at or before T plus the deltas up to T, so its cost is bounded by keyframe size
 * and keyframe interval, never by history length.
 */
public interface TopologyStore extends AutoCloseable {

  /**
   * Records one collector tick. Empty change sets still advance the head time: the graph is known
   * to have stayed the same until then. Ticks at or before the head time are ignored, so a
   * redelivered tick adds nothing.
   */
  void append(ChangeSet changes);

  /**
   * Records consecutive ticks, oldest first, as {@link #append} would one by one; a backend may
   * store them together (one transaction), which is what a collector catching up or an import
   * wants. Listeners still get every change set.
   */
  default void appendAll(List<ChangeSet> ticks) {
    ticks.forEach(this::append);
  }

  /** The world graph as it was at {@code at} (epoch ms). */
  Graph stateAt(long at) throws OutOfRetentionException;

  /**
   * The change sets stored with {@code from < at <= to}, oldest first: exactly what each tick
   * changed, for scrubbing and playback. Reads stop after the change set that takes the total
   * number of changes over {@code maxChanges}, so a caller sees that its range holds too many
   * without the store decoding all of them.
   *
   * @throws OutOfRetentionException when {@code from} is before the retained range
   */
  List<ChangeSet> changes(long from, long to, int maxChanges) throws OutOfRetentionException;

  /**
   * How much changed in each {@code step}-long bucket from {@code from} to {@code to}: ticks in
   * (bucket start, bucket end], counted when they were stored. Outside retention buckets are empty.
   */
  List<ChangeCounts> changeCounts(long from, long to, long step);

  /** The instants this store can answer for; empty before the first tick. */
  TimeRange retained();

  StoreStats stats();

  /** Called with every change set appended, after it is stored: the live change stream. */
  void subscribe(Consumer<ChangeSet> listener);

  /** Numeric series per node, kept with the same retention as the graph. */
  default MetricStore metrics() {
    return MetricStore.NONE;
  }

  /** Health: throws when the backend cannot serve. Lazy: construction never does I/O. */
  default void check() {}

  @Override
  default void close() {}
}
