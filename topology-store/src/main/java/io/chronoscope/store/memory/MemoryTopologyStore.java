package io.chronoscope.store.memory;

import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.StoreStats;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The embedded default: keyframes and deltas in memory, bounded by retention. Old history is
 * dropped a whole keyframe at a time, so every retained instant still has a keyframe before it.
 */
public final class MemoryTopologyStore implements TopologyStore {
  private final long retentionMs;
  private final long keyframeIntervalMs;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final NavigableMap<Long, Graph> keyframes = new TreeMap<>();
  private final NavigableMap<Long, ChangeSet> deltas = new TreeMap<>();
  private final List<Consumer<ChangeSet>> listeners = new CopyOnWriteArrayList<>();
  private Graph head = Graph.EMPTY;
  private long headAt = Long.MIN_VALUE;
  private long storedElements;

  public MemoryTopologyStore(Duration retention, Duration keyframeInterval) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
    }
    if (keyframeInterval.isNegative() || keyframeInterval.isZero()) {
      throw new IllegalArgumentException("keyframe interval must be positive, was " + keyframeInterval);
    }
    this.retentionMs = retention.toMillis();
    this.keyframeIntervalMs = keyframeInterval.toMillis();
  }

  @Override
  public void append(ChangeSet changes) {
    lock.writeLock().lock();
    try {
      if (changes.at() <= headAt) {
        return;
      }
      head = changes.applyTo(head);
      headAt = changes.at();
      if (keyframes.isEmpty() || headAt - keyframes.lastKey() >= keyframeIntervalMs) {
        keyframes.put(headAt, head);
        storedElements += head.nodes().size() + head.edges().size();
      } else if (!changes.isEmpty()) {
        deltas.put(headAt, changes);
        storedElements += changes.size();
      }
      evictBefore(headAt - retentionMs);
    } finally {
      lock.writeLock().unlock();
    }
    listeners.forEach(l -> l.accept(changes));
  }

  /** Drops the oldest keyframe while the next one still covers the cutoff. */
  private void evictBefore(long cutoff) {
    while (keyframes.size() > 1) {
      Map.Entry<Long, Graph> oldest = keyframes.firstEntry();
      long next = keyframes.higherKey(oldest.getKey());
      if (next > cutoff) {
        return;
      }
      keyframes.pollFirstEntry();
      storedElements -= oldest.getValue().nodes().size() + oldest.getValue().edges().size();
      NavigableMap<Long, ChangeSet> dropped = deltas.headMap(next, false);
      dropped.values().forEach(d -> storedElements -= d.size());
      dropped.clear();
    }
  }

  @Override
  public Graph stateAt(long at) throws OutOfRetentionException {
    lock.readLock().lock();
    try {
      TimeRange range = retainedLocked();
      if (range.isEmpty() || at < range.from()) {
        throw new OutOfRetentionException(at, range);
      }
      if (at >= headAt) {
        return head;
      }
      Map.Entry<Long, Graph> keyframe = keyframes.floorEntry(at);
      Graph.Builder state = keyframe.getValue().toBuilder();
      for (ChangeSet delta : deltas.subMap(keyframe.getKey(), false, at, true).values()) {
        delta.applyTo(state);
      }
      return state.build();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public TimeRange retained() {
    lock.readLock().lock();
    try {
      return retainedLocked();
    } finally {
      lock.readLock().unlock();
    }
  }

  private TimeRange retainedLocked() {
    return keyframes.isEmpty() ? TimeRange.EMPTY : new TimeRange(keyframes.firstKey(), headAt);
  }

  @Override
  public StoreStats stats() {
    lock.readLock().lock();
    try {
      return new StoreStats(keyframes.size(), deltas.size(), storedElements);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void subscribe(Consumer<ChangeSet> listener) {
    listeners.add(listener);
  }
}
