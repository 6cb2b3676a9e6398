package io.chronoscope.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chronoscope.store.ChangeCounts;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.StoreStats;
import io.chronoscope.store.StoreUnavailableException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The production backend: keyframes and deltas in PostgreSQL (TimescaleDB hypertables where the
 * extension is installed, day partitions otherwise), so history outlives the process. The state at
 * T reads the last keyframe at or before T and the deltas after it, never older history.
 *
 * <p>One writer per shard: the head graph is kept in memory to build keyframes, and the shard's
 * head row in the database refuses a tick at or before the stored head, so a redelivered tick
 * stores nothing. Nothing touches the database until the first call ({@link #check()}, a read or
 * an append).
 */
public final class PostgresTopologyStore implements TopologyStore {
  private static final System.Logger LOG = System.getLogger(PostgresTopologyStore.class.getName());

  private final PostgresStoreSettings settings;
  private final long retentionMs;
  private final long keyframeIntervalMs;
  private final List<Consumer<ChangeSet>> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object openLock = new Object();
  private volatile Database db;
  private volatile Head head = Head.NONE;
  /** See {@link #headBuilder}; null until the first append after opening or after a failed one. */
  private Graph.Builder headBuilder;
  private final MetricStore metricStore = new PostgresMetricStore(() -> db().metrics());
  private volatile RebuiltState lastRead;
  private boolean closed;

  /** The pool and what was learnt about the schema when it was opened. */
  private record Database(HikariDataSource pool, TimeLayout layout, EntitySpans spans,
      MetricSamples metrics, DeployEvents deploys) {}

  /**
   * What the writer knows of its shard: the latest tick and its graph, the keyframe times and the
   * counts behind {@link #stats()}. Replaced whole, so a reader sees one consistent snapshot.
   */
  private record Head(long at, Graph graph, long firstKeyframeAt, long lastKeyframeAt, StoreStats stats) {
    static final Head NONE = new Head(Long.MIN_VALUE, Graph.EMPTY, Long.MIN_VALUE, Long.MIN_VALUE,
        new StoreStats(0, 0, 0));

    Head withGraph(Graph g) {
      return new Head(at, g, firstKeyframeAt, lastKeyframeAt, stats);
    }

    TimeRange retained() {
      return firstKeyframeAt == Long.MIN_VALUE ? TimeRange.EMPTY : new TimeRange(firstKeyframeAt, at);
    }
  }

  /** The last state rebuilt, and from which keyframe: the UI's time slider asks for its neighbours. */
  private record RebuiltState(long keyframeAt, long at, Graph graph) {}

  public PostgresTopologyStore(PostgresStoreSettings settings) {
    this.settings = settings;
    this.retentionMs = settings.retention().toMillis();
    this.keyframeIntervalMs = settings.keyframeInterval().toMillis();
  }

  public PostgresStoreSettings settings() {
    return settings;
  }

  /** Connects, creates or upgrades the schema and loads the head; throws when it cannot. */
  @Override
  public void check() {
    Database d = db();
    try (Connection c = d.pool().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 1")) {
      ps.executeQuery().close();
    } catch (SQLException e) {
      throw unavailable("cannot reach", e);
    }
  }

  @Override
  public void append(ChangeSet changes) {
    appendAll(List.of(changes));
  }

  /**
   * Stores ticks in one transaction: a collector catching up, or an import, pays one commit per
   * batch instead of one per tick. Ticks at or before the head are skipped as in {@link #append}.
   */
  @Override
  public void appendAll(List<ChangeSet> ticks) {
    Database d = db();
    List<ChangeSet> stored = new ArrayList<>();
    writeLock.lock();
    try {
      Head h = head;
      List<ChangeSet> fresh = new ArrayList<>();
      long last = h.at();
      for (ChangeSet t : ticks) {
        if (t.at() > last) {
          fresh.add(t);
          last = t.at();
        }
      }
      if (fresh.isEmpty()) {
        return;
      }
      boolean anyKeyframe = false;
      try (Connection c = d.pool().getConnection()) {
        long preparedDay = Long.MIN_VALUE;
        for (ChangeSet t : fresh) {
          long day = Math.floorDiv(t.at(), 86_400_000L);
          if (day != preparedDay) {
            d.layout().prepareFor(c, t.at());
            preparedDay = day;
          }
        }
        c.setAutoCommit(false);
        Graph.Builder graph = headBuilder(h);
        List<ChangeSet> applied = new ArrayList<>();
        try {
          if (!advanceHead(c, last)) {
            c.rollback();
            LOG.log(System.Logger.Level.WARNING, "shard {0} already holds a tick at or after {1}:"
                + " another writer uses this shard; reloading its head", settings.shard(), Instant.ofEpochMilli(last));
            headBuilder = null;
            head = loadHead(c);
            return;
          }
          StoreStats s = h.stats();
          long lastKeyframeAt = h.lastKeyframeAt();
          long firstKeyframeAt = h.firstKeyframeAt();
          try (PreparedStatement keyframes = insert(c, "keyframes", "graph", "elements", "");
              PreparedStatement deltas = insert(c, "deltas", "changes", "size", ", counts")) {
            for (ChangeSet t : fresh) {
              t.applyTo(graph);
              applied.add(t);
              if (lastKeyframeAt == Long.MIN_VALUE || t.at() - lastKeyframeAt >= keyframeIntervalMs) {
                Graph next = graph.build();
                int elements = next.nodes().size() + next.edges().size();
                bind(keyframes, t.at(), GraphCodec.encode(next), elements);
                keyframes.addBatch();
                s = new StoreStats(s.keyframes() + 1, s.deltas(), s.storedElements() + elements);
                lastKeyframeAt = t.at();
                firstKeyframeAt = firstKeyframeAt == Long.MIN_VALUE ? t.at() : firstKeyframeAt;
                anyKeyframe = true;
              }
              // Also at a keyframe: the change stream and the timeline read what each tick changed.
              if (!t.isEmpty()) {
                bind(deltas, t.at(), GraphCodec.encode(t), t.size());
                deltas.setArray(5, c.createArrayOf("integer",
                    Arrays.stream(ChangeCounts.of(t)).boxed().toArray()));
                deltas.addBatch();
                s = new StoreStats(s.keyframes(), s.deltas() + 1, s.storedElements() + t.size());
              }
              d.spans().record(c, t);
            }
            keyframes.executeBatch();
            deltas.executeBatch();
          }
          c.commit();
          head = new Head(last, null, firstKeyframeAt, lastKeyframeAt, s);
          stored.addAll(fresh);
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          // Not stored, so not the head: undo them on the builder, newest first.
          for (int i = applied.size() - 1; i >= 0; i--) {
            applied.get(i).inverse(h.at()).applyTo(graph);
          }
          throw e;
        }
        if (anyKeyframe) {
          c.setAutoCommit(true);
          enforceRetention(c, d.layout(), last - retentionMs);
        }
      } catch (SQLException e) {
        throw unavailable("cannot store the tick at " + Instant.ofEpochMilli(last) + " in", e);
      }
    } finally {
      writeLock.unlock();
    }
    for (ChangeSet t : stored) {
      listeners.forEach(l -> l.accept(t));
    }
  }

  /**
   * The head graph as a builder the appends edit in place. Building a graph copies it whole,
   * which a tick should not pay for when nobody reads the head; {@link #headGraph} builds it once
   * per tick on demand. Only under the write lock.
   */
  private Graph.Builder headBuilder(Head h) {
    if (headBuilder == null) {
      headBuilder = h.graph().toBuilder();
    }
    return headBuilder;
  }

  /**
   * The graph of head {@code h}, built from the builder the first time someone asks after a tick;
   * null when the head has moved past {@code h} meanwhile.
   */
  private Graph headGraph(Head h) {
    if (h.graph() != null) {
      return h.graph();
    }
    writeLock.lock();
    try {
      Head current = head;
      if (current.at() != h.at()) {
        return null;
      }
      if (current.graph() == null) {
        current = current.withGraph(headBuilder.build());
        head = current;
      }
      return current.graph();
    } finally {
      writeLock.unlock();
    }
  }

  /** Moves the shard's head to {@code at}; false when the database already has it there or later. */
  private boolean advanceHead(Connection c, long at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + settings.schema() + ".shard_heads"
        + " SET head_at = ? WHERE shard = ? AND (head_at IS NULL OR head_at < ?)")) {
      ps.setObject(1, time(at));
      ps.setString(2, settings.shard());
      ps.setObject(3, time(at));
      return ps.executeUpdate() == 1;
    }
  }

  /** ON CONFLICT DO NOTHING: the head guard already refuses a known tick; this keeps the table so too. */
  private PreparedStatement insert(Connection c, String table, String payloadColumn, String sizeColumn,
      String extraColumn) throws SQLException {
    return c.prepareStatement("INSERT INTO " + settings.schema() + "." + table
        + " (shard, at, " + payloadColumn + ", " + sizeColumn + extraColumn + ") VALUES (?, ?, ?, ?"
        + (extraColumn.isEmpty() ? "" : ", ?") + ") ON CONFLICT (shard, at) DO NOTHING");
  }

  private void bind(PreparedStatement ps, long at, byte[] payload, int size) throws SQLException {
    ps.setString(1, settings.shard());
    ps.setObject(2, time(at));
    ps.setBytes(3, payload);
    ps.setInt(4, size);
  }

  /**
   * Drops what lies entirely before the last keyframe at or before {@code cutoff}: that keyframe
   * stays, so every instant from it on can still be rebuilt. Day partitions go whole, so up to a
   * day more than retention may be kept.
   */
  private void enforceRetention(Connection c, TimeLayout layout, long cutoff) throws SQLException {
    Head h = head;
    if (cutoff <= h.firstKeyframeAt()) {
      return;
    }
    long boundary;
    try (PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM " + settings.schema()
        + ".keyframes WHERE shard = ? AND at <= ?")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(cutoff));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
        if (t == null) {
          return;
        }
        boundary = t.toInstant().toEpochMilli();
      }
    }
    if (boundary <= h.firstKeyframeAt()) {
      return;
    }
    int dropped = layout.dropBefore(c, boundary);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + settings.schema()
        + ".entity_spans WHERE shard = ? AND last_seen < ?")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(boundary));
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + settings.schema()
        + ".deploy_events WHERE at < ?")) {
      ps.setObject(1, time(boundary));
      ps.executeUpdate();
    }
    if (dropped > 0) {
      Head reloaded = loadCounts(c, h.at(), headGraph(h));
      head = reloaded;
      LOG.log(System.Logger.Level.DEBUG, "retention dropped {0} partitions; history now from {1}",
          dropped, Instant.ofEpochMilli(reloaded.firstKeyframeAt()));
    }
  }

  @Override
  public Graph stateAt(long at) throws OutOfRetentionException {
    Database d = db();
    Head h = head;
    TimeRange range = h.retained();
    if (range.isEmpty() || at < range.from()) {
      throw new OutOfRetentionException(at, range);
    }
    while (at >= h.at()) {
      Graph g = headGraph(h);
      if (g != null) {
        return g;
      }
      h = head; // a tick came in meanwhile: ask again
    }
    try (Connection c = d.pool().getConnection()) {
      Graph state = rebuild(c, at);
      if (state == null) {
        // Retention dropped the keyframe between our look at the range and the read.
        throw new OutOfRetentionException(at, head.retained());
      }
      return state;
    } catch (SQLException e) {
      throw unavailable("cannot read the state at " + Instant.ofEpochMilli(at) + " from", e);
    }
  }

  /** The last keyframe at or before {@code at} plus the deltas after it; null without a keyframe. */
  private Graph rebuild(Connection c, long at) throws SQLException {
    long keyframeAt;
    try (PreparedStatement ps = c.prepareStatement("SELECT at FROM " + settings.schema()
        + ".keyframes WHERE shard = ? AND at <= ? ORDER BY at DESC LIMIT 1")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(at));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        keyframeAt = millis(rs, 1);
      }
    }
    // History before the head never changes, so a state rebuilt earlier from the same keyframe is
    // a valid start for any later instant: scrubbing forward replays only the deltas in between.
    RebuiltState cached = lastRead;
    CompletableFuture<Graph.Builder> start;
    long from;
    if (cached != null && cached.keyframeAt() == keyframeAt && cached.at() <= at) {
      start = CompletableFuture.completedFuture(cached.graph().toBuilder());
      from = cached.at();
    } else {
      byte[] stored;
      try (PreparedStatement ps = c.prepareStatement("SELECT graph FROM " + settings.schema()
          + ".keyframes WHERE shard = ? AND at = ?")) {
        ps.setString(1, settings.shard());
        ps.setObject(2, time(keyframeAt));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          stored = rs.getBytes(1);
        }
      }
      // Decoded on another core while this thread reads and decodes the deltas after it.
      start = CompletableFuture.supplyAsync(() -> GraphCodec.decodeBuilder(stored));
      from = keyframeAt;
    }
    List<ChangeSet> deltas = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT changes FROM " + settings.schema()
        + ".deltas WHERE shard = ? AND at > ? AND at <= ? ORDER BY at")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(from));
      ps.setObject(3, time(at));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          deltas.add(GraphCodec.decodeChanges(rs.getBytes(1)));
        }
      }
    }
    Graph.Builder replayed;
    try {
      replayed = start.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    deltas.forEach(d -> d.applyTo(replayed));
    Graph state = replayed.build();
    lastRead = new RebuiltState(keyframeAt, at, state);
    return state;
  }

  @Override
  public List<ChangeSet> changes(long from, long to, int maxChanges) throws OutOfRetentionException {
    Database d = db();
    TimeRange range = head.retained();
    if (range.isEmpty() || from < range.from()) {
      throw new OutOfRetentionException(from, range);
    }
    List<ChangeSet> result = new ArrayList<>();
    try (Connection c = d.pool().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT changes, size FROM " + settings.schema()
            + ".deltas WHERE shard = ? AND at > ? AND at <= ? ORDER BY at")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(from));
      ps.setObject(3, time(to));
      ps.setFetchSize(500);
      c.setAutoCommit(false); // a fetch size streams only inside a transaction
      try (ResultSet rs = ps.executeQuery()) {
        long total = 0;
        while (rs.next()) {
          result.add(GraphCodec.decodeChanges(rs.getBytes(1)));
          total += rs.getInt(2);
          if (total > maxChanges) {
            break;
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw unavailable("cannot read the changes from " + Instant.ofEpochMilli(from) + " from", e);
    }
    return result;
  }

  /** Summed in the database: a week of ticks is a few hundred thousand rows, not worth shipping. */
  @Override
  public List<ChangeCounts> changeCounts(long from, long to, long step) {
    Database d = db();
    ChangeCounts[] buckets = ChangeCounts.buckets(from, to, step);
    try (Connection c = d.pool().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT floor((extract(epoch FROM at) * 1000 - ? - 1) / ?)::bigint AS b,"
            + " count(*), coalesce(sum(counts[1]), 0), coalesce(sum(counts[2]), 0), coalesce(sum(counts[3]), 0),"
            + " coalesce(sum(counts[4]), 0), coalesce(sum(counts[5]), 0), coalesce(sum(counts[6]), 0)"
            + " FROM " + settings.schema() + ".deltas WHERE shard = ? AND at > ? AND at <= ? GROUP BY b")) {
      ps.setLong(1, from);
      ps.setLong(2, step);
      ps.setString(3, settings.shard());
      ps.setObject(4, time(from));
      ps.setObject(5, time(to));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = (int) Math.max(0, Math.min(buckets.length - 1, rs.getLong(1)));
          ChangeCounts b = buckets[i];
          buckets[i] = new ChangeCounts(b.from(), b.to(), b.ticks() + rs.getInt(2), b.nodesAdded() + rs.getInt(3),
              b.nodesRemoved() + rs.getInt(4), b.nodesChanged() + rs.getInt(5), b.edgesAdded() + rs.getInt(6),
              b.edgesRemoved() + rs.getInt(7), b.edgesChanged() + rs.getInt(8));
        }
      }
    } catch (SQLException e) {
      throw unavailable("cannot count the changes from " + Instant.ofEpochMilli(from) + " in", e);
    }
    return List.of(buckets);
  }

  @Override
  public TimeRange retained() {
    db();
    return head.retained();
  }

  @Override
  public StoreStats stats() {
    db();
    return head.stats();
  }

  @Override
  public void subscribe(Consumer<ChangeSet> listener) {
    listeners.add(listener);
  }

  /** Metric series and samples, in the same database and schema. */
  public MetricSamples metricSamples() {
    return db().metrics();
  }

  @Override
  public MetricStore metrics() {
    return metricStore;
  }

  /** Deploy events, in the same database and schema; pruned with the topology's retention. */
  public DeployEvents deploys() {
    return db().deploys();
  }

  private Database db() {
    Database d = db;
    if (d != null) {
      return d;
    }
    synchronized (openLock) {
      if (closed) {
        throw new IllegalStateException("the PostgreSQL store is closed");
      }
      if (db == null) {
        db = open();
      }
      return db;
    }
  }

  private Database open() {
    HikariConfig config = new HikariConfig();
    config.setPoolName("chronoscope-store");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setConnectionTimeout(10_000);
    config.addDataSourceProperty("ApplicationName", "chronoscope");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      // Hikari wraps the driver's exception; its message is the one that says what went wrong.
      Throwable root = rootCause(e);
      throw new StoreUnavailableException("cannot connect to PostgreSQL at " + settings.redactedUrl()
          + " as user " + settings.user() + ": " + root.getMessage(), e);
    }
    try (Connection c = pool.getConnection()) {
      TimeLayout layout = StoreSchema.migrate(c, settings);
      layout.applyRetention(c, settings.retention());
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + settings.schema()
          + ".shard_heads (shard) VALUES (?) ON CONFLICT (shard) DO NOTHING")) {
        ps.setString(1, settings.shard());
        ps.executeUpdate();
      }
      head = loadHead(c);
      return new Database(pool, layout, new EntitySpans(settings.schema(), settings.shard()),
          new MetricSamples(pool, layout, settings.schema()), new DeployEvents(pool, settings.schema()));
    } catch (SQLException | RuntimeException e) {
      pool.close();
      if (e instanceof StoreUnavailableException u) {
        throw u;
      }
      throw unavailable("cannot set up the store schema " + settings.schema() + " in", e);
    }
  }

  /** After a restart: the head graph rebuilt from the last keyframe and its deltas. */
  private Head loadHead(Connection c) throws SQLException {
    long headAt;
    try (PreparedStatement ps = c.prepareStatement("SELECT head_at FROM " + settings.schema()
        + ".shard_heads WHERE shard = ?")) {
      ps.setString(1, settings.shard());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getObject(1) == null) {
          return Head.NONE;
        }
        headAt = millis(rs, 1);
      }
    }
    Graph graph = rebuild(c, headAt);
    if (graph == null) {
      throw new StoreUnavailableException("shard " + settings.shard() + " has its head at "
          + Instant.ofEpochMilli(headAt) + " but no keyframe before it; the keyframes table was altered");
    }
    return loadCounts(c, headAt, graph);
  }

  private Head loadCounts(Connection c, long headAt, Graph graph) throws SQLException {
    long first;
    long last;
    long keyframes;
    long elements;
    try (PreparedStatement ps = c.prepareStatement("SELECT min(at), max(at), count(*),"
        + " coalesce(sum(elements), 0) FROM " + settings.schema() + ".keyframes WHERE shard = ?")) {
      ps.setString(1, settings.shard());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        first = millis(rs, 1);
        last = millis(rs, 2);
        keyframes = rs.getLong(3);
        elements = rs.getLong(4);
      }
    }
    long deltas;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*), coalesce(sum(size), 0) FROM "
        + settings.schema() + ".deltas WHERE shard = ?")) {
      ps.setString(1, settings.shard());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        deltas = rs.getLong(1);
        elements += rs.getLong(2);
      }
    }
    return new Head(headAt, graph, first, last, new StoreStats(keyframes, deltas, elements));
  }

  private StoreUnavailableException unavailable(String what, Throwable cause) {
    // The URL and user help find the database; the password is never part of the message.
    return new StoreUnavailableException(what + " PostgreSQL at " + settings.redactedUrl() + " as user "
        + settings.user() + ": " + cause.getMessage(), cause);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  static OffsetDateTime time(long epochMs) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
  }

  private static long millis(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? Long.MIN_VALUE : t.toInstant().toEpochMilli();
  }

  @Override
  public void close() {
    synchronized (openLock) {
      closed = true;
      if (db != null) {
        db.pool().close();
        db = null;
      }
    }
  }
}
