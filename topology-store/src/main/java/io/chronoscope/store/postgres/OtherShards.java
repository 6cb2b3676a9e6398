package io.chronoscope.store.postgres;

import io.chronoscope.store.TopologyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The shards of other collectors writing to the same schema, as read-only views: found in
 * shard_heads (looked up again every {@code relist}) and opened once each.
 */
public final class OtherShards implements Supplier<List<TopologyStore>>, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(OtherShards.class.getName());

  private final PostgresTopologyStore own;
  private final long relistMs;
  private final Duration headRefresh;
  private final Map<String, PostgresTopologyStore> views = new ConcurrentHashMap<>();
  private volatile long listedAt = Long.MIN_VALUE;

  public OtherShards(PostgresTopologyStore own, Duration relist, Duration headRefresh) {
    this.own = own;
    this.relistMs = relist.toMillis();
    this.headRefresh = headRefresh;
  }

  @Override
  public List<TopologyStore> get() {
    long now = System.currentTimeMillis();
    if (listedAt == Long.MIN_VALUE || now - listedAt >= relistMs) {
      listedAt = now;
      try {
        for (String shard : own.otherShards()) {
          views.computeIfAbsent(shard, s -> {
            LOG.log(System.Logger.Level.INFO, "reading shard {0} of another collector as well", s);
            return own.readOnlyView(s, headRefresh);
          });
        }
      } catch (RuntimeException e) {
        // The shards known so far still answer; the list is tried again next time.
        LOG.log(System.Logger.Level.WARNING, "cannot list the other shards: " + e.getMessage());
      }
    }
    return new ArrayList<>(views.values());
  }

  @Override
  public void close() {
    views.values().forEach(PostgresTopologyStore::close);
    views.clear();
  }
}
