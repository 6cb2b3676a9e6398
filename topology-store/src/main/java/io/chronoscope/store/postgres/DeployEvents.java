package io.chronoscope.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.chronoscope.model.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Deploy events in their own table, found by time and target, recorded once per dedup key. */
public final class DeployEvents {
  private static final TypeReference<Map<String, Object>> PAYLOAD = new TypeReference<>() {};

  private final DataSource pool;
  private final String schema;

  DeployEvents(DataSource pool, String schema) {
    this.pool = pool;
    this.schema = schema;
  }

  /** Stores the event; false when one with the same dedup key is already there. */
  public boolean record(DeployEvent event) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".deploy_events"
            + " (dedup_key, at, target, payload) VALUES (?, ?, ?, ?::jsonb) ON CONFLICT (dedup_key) DO NOTHING")) {
      ps.setString(1, event.dedupKey());
      ps.setObject(2, PostgresTopologyStore.time(event.at()));
      ps.setString(3, event.target());
      ps.setString(4, Json.mapper().writeValueAsString(event.payload()));
      return ps.executeUpdate() == 1;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("deploy event payload cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  /** Events in [from, to], oldest first; all targets when {@code target} is null. */
  public List<DeployEvent> between(long from, long to, String target) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT dedup_key, at, target, payload::text FROM " + schema
            + ".deploy_events WHERE at BETWEEN ? AND ? AND (?::text IS NULL OR target = ?) ORDER BY at, id")) {
      ps.setObject(1, PostgresTopologyStore.time(from));
      ps.setObject(2, PostgresTopologyStore.time(to));
      ps.setString(3, target);
      ps.setString(4, target);
      return read(ps);
    }
  }

  /**
   * Events in [from, to] oldest first, at most {@code limit}: for {@code target} (when not null)
   * those whose target column, {@code payload.target.service} or {@code payload.target.workload}
   * is it; for {@code verdict} (when not null) those whose {@code payload.verdict.status} is it.
   */
  public List<DeployEvent> find(long from, long to, String target, String verdict, int limit) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT dedup_key, at, target, payload::text FROM " + schema
            + ".deploy_events WHERE at BETWEEN ? AND ?"
            + " AND (?::text IS NULL OR target = ? OR payload->'target'->>'service' = ?"
            + " OR payload->'target'->>'workload' = ?)"
            + " AND (?::text IS NULL OR payload->'verdict'->>'status' = ?) ORDER BY at, id LIMIT ?")) {
      ps.setObject(1, PostgresTopologyStore.time(from));
      ps.setObject(2, PostgresTopologyStore.time(to));
      for (int i = 3; i <= 6; i++) {
        ps.setString(i, target);
      }
      ps.setString(7, verdict);
      ps.setString(8, verdict);
      ps.setInt(9, limit);
      return read(ps);
    }
  }

  /** The event whose payload carries this {@code id}. */
  public Optional<DeployEvent> byPayloadId(String id) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT dedup_key, at, target, payload::text FROM " + schema
            + ".deploy_events WHERE payload->>'id' = ?")) {
      ps.setString(1, id);
      return read(ps).stream().findFirst();
    }
  }

  /** Rewrites the payload of the event with this dedup key; false when there is none. */
  public boolean replacePayload(String dedupKey, Map<String, Object> payload) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE " + schema
            + ".deploy_events SET payload = ?::jsonb WHERE dedup_key = ?")) {
      ps.setString(1, Json.mapper().writeValueAsString(payload));
      ps.setString(2, dedupKey);
      return ps.executeUpdate() == 1;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("deploy event payload cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  private static List<DeployEvent> read(PreparedStatement ps) throws SQLException {
    List<DeployEvent> events = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        events.add(new DeployEvent(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli(),
            rs.getString(3), Json.mapper().readValue(rs.getString(4), PAYLOAD)));
      }
    } catch (JsonProcessingException e) {
      throw new SQLException("a stored deploy payload is not JSON", e);
    }
    return events;
  }
}
