package io.chronoscope.store;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the API of one collector in a Kafka group reads: its own shard (the hosts it consumes),
 * which it writes, merged with every other collector's shard, which it only reads. Node ids are
 * global (a process is host;pid;start), so the world at an instant is the union of the shards'
 * graphs at that instant; a host that moved between shards during a rebalance is one node.
 */
public final class MergedTopologyStore implements TopologyStore {
  private final TopologyStore own;
  private final Supplier<? extends Collection<TopologyStore>> others;

  /** @param others the other shards as of now: asked on every read, so it may change */
  public MergedTopologyStore(TopologyStore own, Supplier<? extends Collection<TopologyStore>> others) {
    this.own = own;
    this.others = others;
  }

  private List<TopologyStore> all() {
    List<TopologyStore> all = new ArrayList<>();
    all.add(own);
    all.addAll(others.get());
    return all;
  }

  @Override
  public void append(ChangeSet changes) {
    own.append(changes);
  }

  @Override
  public void appendAll(List<ChangeSet> ticks) {
    own.appendAll(ticks);
  }

  @Override
  public Graph stateAt(long at) throws OutOfRetentionException {
    Graph.Builder union = Graph.builder();
    boolean any = false;
    for (TopologyStore shard : all()) {
      Graph g;
      try {
        g = shard.stateAt(at);
      } catch (OutOfRetentionException e) {
        continue; // this shard started later, or has lost that part: the others still answer
      }
      g.nodes().values().forEach(union::node);
      g.edges().values().forEach(union::edge);
      any = true;
    }
    if (!any) {
      throw new OutOfRetentionException(at, retained());
    }
    return union.build();
  }

  @Override
  public List<ChangeSet> changes(long from, long to, int maxChanges) throws OutOfRetentionException {
    List<ChangeSet> merged = new ArrayList<>();
    boolean any = false;
    for (TopologyStore shard : all()) {
      TimeRange r = shard.retained();
      if (r.isEmpty() || r.from() > to) {
        continue;
      }
      if (from < r.from()) {
        // A shard whose history starts inside the range (a collector that joined later) adds its
        // whole first state at its first tick: before it, that shard had nothing in the world.
        merged.add(ChangeSet.between(r.from(), Graph.EMPTY, shard.stateAt(r.from())));
      }
      merged.addAll(shard.changes(Math.max(from, r.from()), to, maxChanges));
      any |= from >= r.from();
    }
    if (!any) {
      throw new OutOfRetentionException(from, retained());
    }
    // Stable: ticks of different shards at the same instant keep their shard order.
    merged.sort(Comparator.comparingLong(ChangeSet::at));
    return merged;
  }

  @Override
  public List<ChangeCounts> changeCounts(long from, long to, long step) {
    List<ChangeCounts> sum = null;
    for (TopologyStore shard : all()) {
      List<ChangeCounts> counts = shard.changeCounts(from, to, step);
      if (sum == null) {
        sum = new ArrayList<>(counts);
        continue;
      }
      for (int i = 0; i < sum.size(); i++) {
        ChangeCounts a = sum.get(i);
        ChangeCounts b = counts.get(i);
        sum.set(i, new ChangeCounts(a.from(), a.to(), a.ticks() + b.ticks(), a.nodesAdded() + b.nodesAdded(),
            a.nodesRemoved() + b.nodesRemoved(), a.nodesChanged() + b.nodesChanged(), a.edgesAdded() + b.edgesAdded(),
            a.edgesRemoved() + b.edgesRemoved(), a.edgesChanged() + b.edgesChanged()));
      }
    }
    return sum;
  }

  @Override
  public List<EntitySpan> search(EntityQuery query, long from, long to, int limit) {
    List<EntitySpan> found = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (TopologyStore shard : all()) {
      for (EntitySpan s : shard.search(query, from, to, limit)) {
        if (seen.add(s.id() + "@" + s.firstSeen())) {
          found.add(s);
        }
      }
    }
    found.sort(Comparator.comparingLong(EntitySpan::firstSeen).reversed().thenComparing(EntitySpan::id));
    return found.size() > limit ? List.copyOf(found.subList(0, limit)) : found;
  }

  /** From the earliest instant any shard answers for to the latest head. */
  @Override
  public TimeRange retained() {
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (TopologyStore shard : all()) {
      TimeRange r = shard.retained();
      if (!r.isEmpty()) {
        from = Math.min(from, r.from());
        to = Math.max(to, r.to());
      }
    }
    return from == Long.MAX_VALUE ? TimeRange.EMPTY : new TimeRange(from, to);
  }

  /** This collector's own shard: what it wrote. */
  @Override
  public StoreStats stats() {
    return own.stats();
  }

  /** Only this collector's ticks: the live stream of the hosts it consumes. */
  @Override
  public void subscribe(Consumer<ChangeSet> listener) {
    own.subscribe(listener);
  }

  /** One metrics table serves every shard: series are keyed by node id. */
  @Override
  public MetricStore metrics() {
    return own.metrics();
  }

  @Override
  public void check() {
    own.check();
  }

  @Override
  public void close() {
    own.close();
  }
}
