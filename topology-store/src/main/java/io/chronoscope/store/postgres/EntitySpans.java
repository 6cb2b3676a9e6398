package io.chronoscope.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chronoscope.model.Json;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Node;
import java.io.StringReader;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.postgresql.PGConnection;

/**
 * Keeps entity_spans in step with the change sets: a node added opens a span, a node removed
 * closes it, a node whose name or labels change updates its open span. Runs inside the append's
 * transaction, so a span never disagrees with the deltas.
 */
final class EntitySpans {
  /** Nodes added in one tick from which on the table's statistics are refreshed. */
  private static final int BULK = 1000;

  private final String schema;
  private final String shard;

  EntitySpans(String schema, String shard) {
    this.schema = schema;
    this.shard = shard;
  }

  void record(Connection c, ChangeSet changes) throws SQLException {
    OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(changes.at()), ZoneOffset.UTC);
    if (!changes.addedNodes().isEmpty()) {
      open(c, changes);
    }
    if (!changes.removedNodes().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema + ".entity_spans SET last_seen = ?"
          + " WHERE shard = ? AND last_seen IS NULL AND id = ANY (?)")) {
        Array ids = c.createArrayOf("text", changes.removedNodes().stream().map(Node::id).toArray());
        ps.setObject(1, at);
        ps.setString(2, shard);
        ps.setArray(3, ids);
        ps.executeUpdate();
      }
    }
    boolean renamed = false;
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema + ".entity_spans"
        + " SET kind = ?, name = ?, labels = ?::jsonb WHERE shard = ? AND id = ? AND last_seen IS NULL")) {
      for (ChangeSet.Change<Node> change : changes.changedNodes()) {
        Node before = change.before();
        Node after = change.after();
        // CPU and memory figures change every tick; only what identifies the entity is kept.
        if (Objects.equals(before.kind(), after.kind()) && Objects.equals(before.label(), after.label())
            && labels(before).equals(labels(after))) {
          continue;
        }
        ps.setString(1, text(after.kind()));
        ps.setString(2, text(after.label()));
        ps.setString(3, json(labels(after)));
        ps.setString(4, shard);
        ps.setString(5, after.id());
        ps.addBatch();
        renamed = true;
      }
      if (renamed) {
        ps.executeBatch();
      }
    }
  }

  /** One COPY for all nodes the tick added: thousands at the first tick of a large world. */
  private void open(Connection c, ChangeSet changes) throws SQLException {
    String firstSeen = Instant.ofEpochMilli(changes.at()).toString();
    StringBuilder csv = new StringBuilder(changes.addedNodes().size() * 128);
    for (Node n : changes.addedNodes()) {
      field(csv, shard).append(',');
      field(csv, n.id()).append(',');
      field(csv, n.kind()).append(',');
      field(csv, n.label()).append(',');
      field(csv, json(labels(n))).append(',');
      csv.append(firstSeen).append('\n');
    }
    try {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema + ".entity_spans"
          + " (shard, id, kind, name, labels, first_seen) FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY into entity_spans failed", e);
    }
    if (changes.addedNodes().size() >= BULK) {
      // Fresh statistics now, not at autovacuum's next round: planned on an "empty" table, closing
      // spans by id = ANY(...) would scan every span each tick instead of using the open-span index.
      try (Statement st = c.createStatement()) {
        st.execute("ANALYZE " + schema + ".entity_spans");
      }
    }
  }

  /** The attributes that say what an entity is (text), not how it is doing (numbers). */
  static Map<String, Object> labels(Node n) {
    Map<String, Object> labels = new TreeMap<>();
    n.attrs().forEach((k, v) -> {
      if (v instanceof String text) {
        labels.put(k, text.replace("\0", ""));
      }
    });
    return labels;
  }

  /** A quoted CSV field. PostgreSQL text cannot hold NUL, which a process's cmdline may carry. */
  private static StringBuilder field(StringBuilder csv, String value) {
    csv.append('"');
    String text = value == null ? "" : value;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '"') {
        csv.append('"');
      }
      if (ch != 0) {
        csv.append(ch);
      }
    }
    return csv.append('"');
  }

  private static String text(String value) {
    return value == null ? "" : value.replace("\0", "");
  }

  private static String json(Map<String, Object> labels) {
    try {
      return Json.mapper().writeValueAsString(labels);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("labels of text values always serialize", e);
    }
  }
}
