package io.chronoscope.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain PostgreSQL: one range partition per UTC day, named {@code <table>_pYYYYMMDD}, created
 * ahead as time advances (the day of a write and the next) and dropped whole for retention.
 */
final class DayPartitions implements TimeLayout {
  static final List<String> TABLES = List.of("keyframes", "deltas", "metric_samples");
  /** Retention drops keyframes and deltas here; samples follow the same days. */
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final String DUPLICATE_TABLE = "42P07";
  private static final String UNIQUE_VIOLATION = "23505";

  private final String schema;
  /** Days whose partitions exist, so a steady tick issues no DDL. */
  private final Set<LocalDate> prepared = ConcurrentHashMap.newKeySet();

  DayPartitions(String schema) {
    this.schema = schema;
  }

  @Override
  public String name() {
    return "partitioned";
  }

  @Override
  public String migrations() {
    return "classpath:db/migration/partitioned";
  }

  static LocalDate dayOf(long at) {
    return Instant.ofEpochMilli(at).atOffset(ZoneOffset.UTC).toLocalDate();
  }

  @Override
  public void prepareFor(Connection c, long at) throws SQLException {
    LocalDate day = dayOf(at);
    for (LocalDate d : List.of(day, day.plusDays(1))) {
      if (prepared.contains(d)) {
        continue;
      }
      for (String table : TABLES) {
        create(c, table, d);
      }
      prepared.add(d);
    }
  }

  private void create(Connection c, String table, LocalDate day) throws SQLException {
    String sql = "CREATE TABLE IF NOT EXISTS " + schema + "." + table + "_p" + SUFFIX.format(day)
        + " PARTITION OF " + schema + "." + table
        + " FOR VALUES FROM ('" + day.atStartOfDay(ZoneOffset.UTC).toInstant() + "')"
        + " TO ('" + day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() + "')";
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      // Another writer created it between our IF NOT EXISTS check and the insert into the catalog.
      if (!DUPLICATE_TABLE.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  @Override
  public int dropBefore(Connection c, long boundary) throws SQLException {
    int dropped = 0;
    for (String table : TABLES) {
      for (String partition : partitionsOf(c, table)) {
        LocalDate day = LocalDate.parse(partition.substring(partition.lastIndexOf("_p") + 2), SUFFIX);
        long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        if (end <= boundary) {
          try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + schema + "." + partition);
          }
          prepared.remove(day);
          dropped++;
        }
      }
    }
    return dropped;
  }

  private List<String> partitionsOf(Connection c, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT child.relname FROM pg_inherits i
        JOIN pg_class child ON child.oid = i.inhrelid
        JOIN pg_class parent ON parent.oid = i.inhparent
        JOIN pg_namespace n ON n.oid = parent.relnamespace
        WHERE n.nspname = ? AND parent.relname = ? AND child.relname ~ '_p[0-9]{8}$'
        ORDER BY child.relname""")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /** Nothing expires by itself here: the store drops partitions as its head advances. */
  @Override
  public void applyRetention(Connection c, Duration retention) {}
}
