package io.chronoscope.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
import java.util.List;
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
    Database d = db();
    writeLock.lock();
    try {
      Head h = head;
      long at = changes.at();
      if (at <= h.at()) {
        return;
      }
      Graph next = changes.applyTo(h.graph());
      boolean keyframe = h.lastKeyframeAt() == Long.MIN_VALUE || at - h.lastKeyframeAt() >= keyframeIntervalMs;
      try (Connection c = d.pool().getConnection()) {
        d.layout().prepareFor(c, at);
        c.setAutoCommit(false);
        try {
          if (!advanceHead(c, at)) {
            c.rollback();
            LOG.log(System.Logger.Level.WARNING, "shard {0} already holds a tick at or after {1}:"
                + " another writer uses this shard; reloading its head", settings.shard(), Instant.ofEpochMilli(at));
            head = loadHead(c);
            return;
          }
          StoreStats s = h.stats();
          if (keyframe) {
            int elements = next.nodes().size() + next.edges().size();
            insert(c, "keyframes", "graph", "elements", at, GraphCodec.encode(next), elements);
            s = new StoreStats(s.keyframes() + 1, s.deltas(), s.storedElements() + elements);
          } else if (!changes.isEmpty()) {
            insert(c, "deltas", "changes", "size", at, GraphCodec.encode(changes), changes.size());
            s = new StoreStats(s.keyframes(), s.deltas() + 1, s.storedElements() + changes.size());
          }
          d.spans().record(c, changes);
          c.commit();
          head = new Head(at, next, h.firstKeyframeAt() == Long.MIN_VALUE ? at : h.firstKeyframeAt(),
              keyframe ? at : h.lastKeyframeAt(), s);
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
        if (keyframe) {
          c.setAutoCommit(true);
          enforceRetention(c, d.layout(), at - retentionMs);
        }
      } catch (SQLException e) {
        throw unavailable("cannot store the tick at " + Instant.ofEpochMilli(at) + " in", e);
      }
    } finally {
      writeLock.unlock();
    }
    listeners.forEach(l -> l.accept(changes));
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
  private void insert(Connection c, String table, String payloadColumn, String sizeColumn, long at,
      byte[] payload, int size) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + settings.schema() + "." + table
        + " (shard, at, " + payloadColumn + ", " + sizeColumn + ") VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (shard, at) DO NOTHING")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(at));
      ps.setBytes(3, payload);
      ps.setInt(4, size);
      ps.executeUpdate();
    }
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
      Head reloaded = loadCounts(c, h.at(), h.graph());
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
    if (at >= h.at()) {
      return h.graph();
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
    Graph start;
    long from;
    if (cached != null && cached.keyframeAt() == keyframeAt && cached.at() <= at) {
      start = cached.graph();
      from = cached.at();
    } else {
      try (PreparedStatement ps = c.prepareStatement("SELECT graph FROM " + settings.schema()
          + ".keyframes WHERE shard = ? AND at = ?")) {
        ps.setString(1, settings.shard());
        ps.setObject(2, time(keyframeAt));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          start = GraphCodec.decodeGraph(rs.getBytes(1));
        }
      }
      from = keyframeAt;
    }
    Graph.Builder replayed = start.toBuilder();
    try (PreparedStatement ps = c.prepareStatement("SELECT changes FROM " + settings.schema()
        + ".deltas WHERE shard = ? AND at > ? AND at <= ? ORDER BY at")) {
      ps.setString(1, settings.shard());
      ps.setObject(2, time(from));
      ps.setObject(3, time(at));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          GraphCodec.decodeChanges(rs.getBytes(1)).applyTo(replayed);
        }
      }
    }
    Graph state = replayed.build();
    lastRead = new RebuiltState(keyframeAt, at, state);
    return state;
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
  public MetricSamples metrics() {
    return db().metrics();
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
