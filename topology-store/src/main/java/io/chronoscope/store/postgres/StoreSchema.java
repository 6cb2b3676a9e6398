package io.chronoscope.store.postgres;

import io.chronoscope.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * Creates or upgrades the store's schema with Flyway and picks its time layout: TimescaleDB
 * hypertables when the extension is installed (or can be) at the schema's creation, day partitions
 * otherwise. The choice is recorded and kept for the schema's lifetime.
 */
final class StoreSchema {
  private static final System.Logger LOG = System.getLogger(StoreSchema.class.getName());

  private StoreSchema() {}

  static TimeLayout migrate(Connection c, PostgresStoreSettings s) throws SQLException {
    String recorded = recordedLayout(c, s.schema());
    TimeLayout layout;
    if (recorded == null) {
      layout = timescaleUsable(c) ? new TimescaleHypertables(s.schema()) : new DayPartitions(s.schema());
    } else if (recorded.equals("timescaledb")) {
      if (!extensionInstalled(c)) {
        throw new StoreUnavailableException("schema " + s.schema() + " was created with TimescaleDB"
            + " hypertables, but the timescaledb extension is not installed in this database");
      }
      layout = new TimescaleHypertables(s.schema());
    } else {
      layout = new DayPartitions(s.schema());
    }
    Flyway.configure()
        .dataSource(s.jdbcUrl(), s.user(), s.password())
        .schemas(s.schema())
        .defaultSchema(s.schema())
        .locations("classpath:db/migration/common", layout.migrations())
        .load()
        .migrate();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s.schema()
        + ".store_settings (name, value) VALUES ('layout', ?) ON CONFLICT (name) DO NOTHING")) {
      ps.setString(1, layout.name());
      ps.executeUpdate();
    }
    if (recorded == null) {
      LOG.log(System.Logger.Level.INFO, "store schema {0} created with {1} time layout", s.schema(), layout.name());
    }
    return layout;
  }

  private static String recordedLayout(Connection c, String schema) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, schema + ".store_settings");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return null;
        }
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT value FROM " + schema + ".store_settings WHERE name = 'layout'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static boolean extensionInstalled(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")) {
      return rs.next();
    }
  }

  /**
   * Installed in this database, or available on the server and creatable by this user. Creating it
   * needs it in shared_preload_libraries and the right privileges; when that fails the store falls
   * back to day partitions and says why.
   */
  private static boolean timescaleUsable(Connection c) throws SQLException {
    if (extensionInstalled(c)) {
      return true;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")) {
      if (!rs.next()) {
        return false;
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
      return true;
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.WARNING, "timescaledb is available but cannot be created ({0});"
          + " using day partitions instead", e.getMessage());
      return false;
    }
  }
}
