package io.chronoscope.store.memory;

import io.chronoscope.store.ChangeCounts;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.StoreStats;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.time.Duration;
import java.util.ArrayList;
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
  private final MemoryMetricStore metrics;
  /**
   * The head as a builder the appends edit in place, and the graph built from it when someone
   * asks: building copies the whole graph, which a tick should not pay for when no one looks.
   */
  private final Graph.Builder head = Graph.builder();
  private volatile Graph builtHead = Graph.EMPTY;
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
    this.metrics = new MemoryMetricStore(retention);
  }

  @Override
  public MetricStore metrics() {
    return metrics;
  }

  @Override
  public void append(ChangeSet changes) {
    lock.writeLock().lock();
    try {
      if (changes.at() <= headAt) {
        return;
      }
      changes.applyTo(head);
      builtHead = null;
      headAt = changes.at();
      if (keyframes.isEmpty() || headAt - keyframes.lastKey() >= keyframeIntervalMs) {
        Graph keyframe = headGraph();
        keyframes.put(headAt, keyframe);
        storedElements += keyframe.nodes().size() + keyframe.edges().size();
      }
      // Also at a keyframe: the change stream and the timeline read what each tick changed.
      if (!changes.isEmpty()) {
        deltas.put(headAt, changes);
        storedElements += changes.size();
      }
      if (evictBefore(headAt - retentionMs)) {
        metrics.evictBefore(headAt - retentionMs);
      }
    } finally {
      lock.writeLock().unlock();
    }
    listeners.forEach(l -> l.accept(changes));
  }

  /** Drops the oldest keyframe while the next one still covers the cutoff. */
  private boolean evictBefore(long cutoff) {
    boolean evicted = false;
    while (keyframes.size() > 1) {
      Map.Entry<Long, Graph> oldest = keyframes.firstEntry();
      long next = keyframes.higherKey(oldest.getKey());
      if (next > cutoff) {
        return evicted;
      }
      evicted = true;
      keyframes.pollFirstEntry();
      storedElements -= oldest.getValue().nodes().size() + oldest.getValue().edges().size();
      NavigableMap<Long, ChangeSet> dropped = deltas.headMap(next, false);
      dropped.values().forEach(d -> storedElements -= d.size());
      dropped.clear();
    }
    return evicted;
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
        return headGraph();
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

  /** Under either lock: the builder only changes under the write lock. */
  private Graph headGraph() {
    Graph g = builtHead;
    if (g == null) {
      synchronized (head) {
        g = builtHead;
        if (g == null) {
          g = head.build();
          builtHead = g;
        }
      }
    }
    return g;
  }

  @Override
  public List<ChangeSet> changes(long from, long to, int maxChanges) throws OutOfRetentionException {
    lock.readLock().lock();
    try {
      TimeRange range = retainedLocked();
      if (range.isEmpty() || from < range.from()) {
        throw new OutOfRetentionException(from, range);
      }
      List<ChangeSet> result = new ArrayList<>();
      long total = 0;
      for (ChangeSet c : deltas.subMap(from, false, to, true).values()) {
        result.add(c);
        total += c.size();
        if (total > maxChanges) {
          break;
        }
      }
      return result;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<ChangeCounts> changeCounts(long from, long to, long step) {
    ChangeCounts[] buckets = ChangeCounts.buckets(from, to, step);
    lock.readLock().lock();
    try {
      for (ChangeSet c : deltas.subMap(from, false, to, true).values()) {
        ChangeCounts.add(buckets, from, step, c.at(), ChangeCounts.of(c));
      }
    } finally {
      lock.readLock().unlock();
    }
    return List.of(buckets);
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
