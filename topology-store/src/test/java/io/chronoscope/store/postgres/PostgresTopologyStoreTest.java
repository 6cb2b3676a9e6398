package io.chronoscope.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.store.ChurningWorld;
import io.chronoscope.store.StoreStats;
import io.chronoscope.store.StoreUnavailableException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.TopologyStoreContract;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract suite and what only a database-backed store must do, against a real PostgreSQL. */
class PostgresTopologyStoreTest extends TopologyStoreContract {
  private static final String SCHEMA = "store_test";
  private static PostgresTestDatabase pg;

  @BeforeAll
  static void database() {
    pg = PostgresTestDatabase.require();
  }

  @Override
  protected TopologyStore newStore(Duration retention, Duration keyframeInterval) throws SQLException {
    pg.dropSchema(SCHEMA);
    return new PostgresTopologyStore(pg.settings(SCHEMA, retention, keyframeInterval));
  }

  /** A second instance on the same schema, as after a restart of Chronoscope. */
  private TopologyStore reopen(Duration retention, Duration keyframeInterval) {
    return new PostgresTopologyStore(pg.settings(SCHEMA, retention, keyframeInterval));
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void historySurvivesARestart() throws Exception {
    Duration retention = Duration.ofHours(1);
    Duration keyframes = Duration.ofSeconds(10);
    TopologyStore first = open(retention, keyframes);
    ChurningWorld world = new ChurningWorld(21, 30, 0.1, 2);
    List<Graph> states = feed(first, world, 25, 1000);
    StoreStats stats = first.stats();
    TimeRange range = first.retained();
    first.close();

    try (TopologyStore second = reopen(retention, keyframes)) {
      assertThat(second.retained()).isEqualTo(range);
      assertThat(second.stats()).isEqualTo(stats);
      for (int i = 0; i < states.size(); i++) {
        assertThat(second.stateAt(T0 + i * 1000L)).as("state at tick %d", i).isEqualTo(states.get(i));
      }
      // The restarted store goes on from its stored head: an old tick is still refused, the next is kept.
      second.append(ChangeSet.between(T0 + 24_000, states.get(23), Graph.EMPTY));
      assertThat(second.stateAt(T0 + 24_000)).isEqualTo(states.get(24));
      ChangeSet next = world.tick(T0 + 25_000);
      second.append(next);
      assertThat(second.stateAt(T0 + 25_000)).isEqualTo(world.graph());
    }
  }

  @Test
  void aTickAnotherWriterAlreadyStoredAddsNoRow() throws Exception {
    TopologyStore writer = open(Duration.ofHours(1), Duration.ofSeconds(3));
    // Opened before the writer stores anything, so its own idea of the head is stale.
    TopologyStore late = reopen(Duration.ofHours(1), Duration.ofSeconds(3));
    late.check();
    List<Graph> states = feed(writer, new ChurningWorld(22, 20, 0.1, 1), 8, 1000);
    long keyframeRows = count("SELECT count(*) FROM " + SCHEMA + ".keyframes");
    long deltaRows = count("SELECT count(*) FROM " + SCHEMA + ".deltas");

    late.append(ChangeSet.between(T0 + 5000, states.get(4), states.get(5)));
    late.append(ChangeSet.between(T0, Graph.EMPTY, states.get(0)));

    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".keyframes")).isEqualTo(keyframeRows);
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".deltas")).isEqualTo(deltaRows);
    assertThat(keyframeRows).isEqualTo(3);
    assertThat(deltaRows).as("every tick changed something, keyframe ticks included").isEqualTo(8);
    late.close();
  }

  /** Deltas before the last keyframe are made unreadable: a read after it must not touch them. */
  @Test
  void stateAtReadsFromTheLastKeyframeOnNotAllHistory() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(10));
    List<Graph> states = feed(store, new ChurningWorld(23, 20, 0.1, 1), 25, 1000);
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      int spoiled = s.executeUpdate("UPDATE " + SCHEMA + ".deltas SET changes = 'not gzip'::bytea"
          + " WHERE at < to_timestamp(" + (T0 + 20_000) / 1000 + ")");
      assertThat(spoiled).as("every tick before 20 s, keyframe ticks included").isEqualTo(20);
    }

    assertThat(store.stateAt(T0 + 23_000)).isEqualTo(states.get(23));
    assertThat(store.stateAt(T0 + 20_000)).isEqualTo(states.get(20));
    assertThatThrownBy(() -> store.stateAt(T0 + 15_000)).hasMessageContaining("cannot be read");
  }

  @Test
  void partitionsByDayAreCreatedAheadAndDroppedWholeForRetention() throws Exception {
    TopologyStore store = open(Duration.ofDays(2), Duration.ofHours(1));
    long step = Duration.ofMinutes(30).toMillis();
    feed(store, new ChurningWorld(24, 6, 0.2, 1), 5 * 48, step);

    List<String> partitions = new ArrayList<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
            + " WHERE n.nspname = '" + SCHEMA + "' AND p.relname = 'deltas' ORDER BY 1")) {
      while (rs.next()) {
        partitions.add(rs.getString(1));
      }
    }
    // T0 is 2023-11-14T22:13Z; the last tick falls on 11-19, whose next day is ready; the cutoff
    // lies on 11-17, so 11-14 to 11-16 are gone.
    assertThat(partitions).containsExactly("deltas_p20231117", "deltas_p20231118", "deltas_p20231119",
        "deltas_p20231120");
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".keyframes WHERE at < '2023-11-17'")).isZero();
    assertThat(count("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + SCHEMA
        + "' AND indexname = 'deltas_at' AND indexdef LIKE '%USING brin%'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".store_settings WHERE name = 'layout' AND value = 'partitioned'"))
        .isEqualTo(1);
  }

  @Test
  void entitySpansOpenWithANodeAndCloseWhenItGoes() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    ChurningWorld world = new ChurningWorld(25, 50, 0.1, 1);
    List<Graph> states = feed(store, world, 10, 1000);
    Graph first = states.get(0);
    Graph last = states.get(9);

    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".entity_spans WHERE last_seen IS NULL"))
        .isEqualTo(last.nodes().size());
    long gone = first.nodes().keySet().stream().filter(id -> !last.nodes().containsKey(id)).count();
    assertThat(gone).isPositive();
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".entity_spans WHERE last_seen IS NOT NULL"
        + " AND first_seen = to_timestamp(" + T0 / 1000 + ")")).isEqualTo(gone);
    String someId = last.nodes().keySet().iterator().next();
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".entity_spans WHERE id = '" + someId
        + "' AND labels ->> 'comm' = 'worker' AND name = '" + last.node(someId).label() + "'")).isEqualTo(1);
  }

  @Test
  void anUnreachableDatabaseIsNamedByUrlAndUserButNeverByPassword() {
    PostgresTopologyStore store = new PostgresTopologyStore(PostgresStoreSettings.of(
        "jdbc:postgresql://127.0.0.1:1/chronoscope", "someone", "s3cret-pw", Duration.ofHours(1), Duration.ofMinutes(10)));
    assertThatThrownBy(store::check)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/chronoscope")
        .hasMessageContaining("someone")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("s3cret-pw");
    store.close();
  }

  @Test
  void aWrongPasswordIsRefusedWithoutBeingPrinted() {
    PostgresTopologyStore store = new PostgresTopologyStore(PostgresStoreSettings.of(
        pg.url() + (pg.url().contains("?") ? "&" : "?") + "password=url-pw-123", pg.user(), "wrong-pw-456",
        Duration.ofHours(1), Duration.ofMinutes(10)));
    assertThatThrownBy(store::check)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("url-pw-123")
        .hasMessageNotContaining("wrong-pw-456");
    store.close();
  }
}
