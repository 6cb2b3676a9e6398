package io.chronoscope.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How the time-indexed tables (keyframes, deltas, metric samples) are split by time: declarative
 * day partitions on plain PostgreSQL, hypertables where TimescaleDB is installed. Everything else
 * the store does is the same SQL on both.
 */
interface TimeLayout {

  /** The name recorded in store_settings, so a schema is always reopened with its layout. */
  String name();

  /** The Flyway location of this layout's migrations, run after the common ones. */
  String migrations();

  /** Makes sure rows stamped {@code at} have somewhere to go. Runs on its own connection. */
  void prepareFor(Connection c, long at) throws SQLException;

  /**
   * Drops whole partitions or chunks of keyframes and deltas that lie entirely before
   * {@code boundary} (epoch ms). Returns how many went.
   */
  int dropBefore(Connection c, long boundary) throws SQLException;

  /** Applies the configured retention to what the database expires by itself, if anything. */
  void applyRetention(Connection c, Duration retention) throws SQLException;
}
