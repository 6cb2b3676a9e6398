package io.chronoscope.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * TimescaleDB: hypertables with one-day chunks (migrations in db/migration/timescaledb), metric
 * compression, retention policies and continuous aggregates. Written against TimescaleDB 2.x's SQL
 * API; this project's CI has no TimescaleDB, so none of it runs there.
 */
final class TimescaleHypertables implements TimeLayout {
  /** Expired by TimescaleDB's own retention policy. */
  private static final List<String> POLICY_RETAINED =
      List.of("metric_samples", "metric_samples_1m", "metric_samples_1h");
  /**
   * Dropped by the store instead, at the last keyframe before the cutoff, so that every retained
   * instant still has a keyframe before it; a time-based policy would not know where that is.
   */
  private static final List<String> KEYFRAME_ALIGNED = List.of("keyframes", "deltas");

  private final String schema;

  TimescaleHypertables(String schema) {
    this.schema = schema;
  }

  @Override
  public String name() {
    return "timescaledb";
  }

  @Override
  public String migrations() {
    return "classpath:db/migration/timescaledb";
  }

  /** TimescaleDB creates chunks on insert. */
  @Override
  public void prepareFor(Connection c, long at) {}

  @Override
  public int dropBefore(Connection c, long boundary) throws SQLException {
    int dropped = 0;
    for (String table : KEYFRAME_ALIGNED) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*) FROM drop_chunks(?::regclass, older_than => ?::timestamptz)")) {
        ps.setString(1, schema + "." + table);
        ps.setObject(2, OffsetDateTime.ofInstant(Instant.ofEpochMilli(boundary), ZoneOffset.UTC));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          dropped += rs.getInt(1);
        }
      }
    }
    return dropped;
  }

  /** Replaces the retention policies, so a changed --retention takes effect at the next start. */
  @Override
  public void applyRetention(Connection c, Duration retention) throws SQLException {
    for (String relation : POLICY_RETAINED) {
      String qualified = schema + "." + relation;
      try (Statement s = c.createStatement()) {
        s.execute("SELECT remove_retention_policy('" + qualified + "', if_exists => true)");
        s.execute("SELECT add_retention_policy('" + qualified + "', drop_after => INTERVAL '"
            + retention.toSeconds() + " seconds')");
      }
    }
  }
}
