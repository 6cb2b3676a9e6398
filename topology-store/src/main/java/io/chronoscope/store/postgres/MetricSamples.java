package io.chronoscope.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chronoscope.model.Json;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Metric samples in PostgreSQL: a series dictionary (name + labels → id) and (series id, time,
 * value) rows, loaded with COPY since a tick brings one sample per process and figure. Loading
 * twice stores each sample once.
 */
public final class MetricSamples {
  private final DataSource pool;
  private final TimeLayout layout;
  private final String schema;
  /** Series ids never change once given, so they are looked up once per process lifetime. */
  private final Map<String, Long> seriesIds = new ConcurrentHashMap<>();

  /** One value of a series as read back. */
  public record Point(long at, double value) {}

  MetricSamples(DataSource pool, TimeLayout layout, String schema) {
    this.pool = pool;
    this.layout = layout;
    this.schema = schema;
  }

  /** Stores the samples; a sample already stored (same series and instant) is left as it was. */
  public void append(List<MetricSample> samples) throws SQLException {
    if (samples.isEmpty()) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      for (MetricSample s : samples) {
        layout.prepareFor(c, s.at());
      }
      Map<String, Long> ids = seriesIds(c, samples);
      StringBuilder csv = new StringBuilder(samples.size() * 48);
      for (MetricSample s : samples) {
        csv.append(ids.get(key(s))).append(',').append(Instant.ofEpochMilli(s.at())).append(',')
            .append(s.value()).append('\n');
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        // COPY cannot skip duplicates; a temporary table in between lets ON CONFLICT do it.
        st.execute("CREATE TEMPORARY TABLE IF NOT EXISTS metric_samples_load"
            + " (series_id bigint, at timestamptz, value double precision) ON COMMIT DELETE ROWS");
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(
            "COPY metric_samples_load (series_id, at, value) FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
        st.execute("INSERT INTO " + schema + ".metric_samples (series_id, at, value)"
            + " SELECT series_id, at, value FROM metric_samples_load ON CONFLICT (series_id, at) DO NOTHING");
        c.commit();
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e instanceof SQLException sql ? sql : new SQLException("loading metric samples failed", e);
      }
    }
  }

  /** The samples of one series in [from, to], oldest first. */
  public List<Point> read(String name, Map<String, String> labels, long from, long to) throws SQLException {
    List<Point> points = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT s.at, s.value FROM " + schema + ".metric_samples s"
            + " JOIN " + schema + ".metric_series m ON m.id = s.series_id"
            + " WHERE m.name = ? AND m.labels = ?::jsonb AND s.at BETWEEN ? AND ? ORDER BY s.at")) {
      ps.setString(1, name);
      ps.setString(2, json(new MetricSample(name, labels, 0, 0).labels()));
      ps.setObject(3, PostgresTopologyStore.time(from));
      ps.setObject(4, PostgresTopologyStore.time(to));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          points.add(new Point(rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli(), rs.getDouble(2)));
        }
      }
    }
    return points;
  }

  /**
   * The samples in [from, to] of every series of {@code name} whose {@code node} label is
   * {@code node}, by part (the {@code part} label; "" for a series without one), oldest first.
   */
  public Map<String, List<Point>> readEveryPart(String name, String node, long from, long to) throws SQLException {
    Map<String, List<Point>> byPart = new java.util.LinkedHashMap<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT coalesce(m.labels->>'part', ''), s.at, s.value FROM "
            + schema + ".metric_samples s JOIN " + schema + ".metric_series m ON m.id = s.series_id"
            + " WHERE m.name = ? AND m.labels->>'node' = ? AND s.at BETWEEN ? AND ? ORDER BY m.id, s.at")) {
      ps.setString(1, name);
      ps.setString(2, node);
      ps.setObject(3, PostgresTopologyStore.time(from));
      ps.setObject(4, PostgresTopologyStore.time(to));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byPart.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new Point(rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli(), rs.getDouble(3)));
        }
      }
    }
    return byPart;
  }

  /** The names of the series of a node, whole or in parts. */
  public List<String> namesOfNode(String node) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT DISTINCT name FROM " + schema + ".metric_series"
            + " WHERE labels->>'node' = ? ORDER BY name")) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /** The names of the series with exactly these labels. */
  public List<String> names(Map<String, String> labels) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM " + schema + ".metric_series"
            + " WHERE labels = ?::jsonb ORDER BY name")) {
      ps.setString(1, json(new MetricSample("x", labels, 0, 0).labels()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /** Creates the series not seen before and returns the ids of all, keyed by {@link #key}. */
  private Map<String, Long> seriesIds(Connection c, List<MetricSample> samples) throws SQLException {
    Map<String, MetricSample> missing = new LinkedHashMap<>();
    for (MetricSample s : samples) {
      if (!seriesIds.containsKey(key(s))) {
        missing.putIfAbsent(key(s), s);
      }
    }
    if (!missing.isEmpty()) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + schema + ".metric_series (name, labels)"
              + " VALUES (?, ?::jsonb) ON CONFLICT (name, labels) DO NOTHING");
          PreparedStatement select = c.prepareStatement("SELECT id FROM " + schema + ".metric_series"
              + " WHERE name = ? AND labels = ?::jsonb")) {
        for (MetricSample s : missing.values()) {
          insert.setString(1, s.name());
          insert.setString(2, json(s.labels()));
          insert.addBatch();
        }
        insert.executeBatch();
        for (Map.Entry<String, MetricSample> e : missing.entrySet()) {
          select.setString(1, e.getValue().name());
          select.setString(2, json(e.getValue().labels()));
          try (ResultSet rs = select.executeQuery()) {
            rs.next();
            seriesIds.put(e.getKey(), rs.getLong(1));
          }
        }
      }
    }
    return seriesIds;
  }

  private static String key(MetricSample s) {
    return s.name() + json(s.labels());
  }

  private static String json(Map<String, String> labels) {
    try {
      return Json.mapper().writeValueAsString(labels);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("text labels always serialize", e);
    }
  }
}
