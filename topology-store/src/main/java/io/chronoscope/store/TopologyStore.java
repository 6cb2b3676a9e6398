package io.chronoscope.store;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
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

  /** The world graph as it was at {@code at} (epoch ms). */
  Graph stateAt(long at) throws OutOfRetentionException;

  /** The instants this store can answer for; empty before the first tick. */
  TimeRange retained();

  StoreStats stats();

  /** Called with every change set appended, after it is stored: the live change stream. */
  void subscribe(Consumer<ChangeSet> listener);

  /** Health: throws when the backend cannot serve. Lazy: construction never does I/O. */
  default void check() {}

  @Override
  default void close() {}
}
