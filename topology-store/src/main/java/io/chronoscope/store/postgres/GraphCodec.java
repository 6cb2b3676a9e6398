package io.chronoscope.store.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chronoscope.model.Json;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Keyframes and deltas as gzip-compressed JSON in the model's one JSON shape. */
final class GraphCodec {
  private static final ObjectMapper MAPPER = Json.mapper();

  /** A graph as stored: Graph itself keeps its maps private to stay immutable. */
  record GraphDocument(List<Node> nodes, List<Edge> edges) {}

  private GraphCodec() {}

  static byte[] encode(Graph graph) {
    return gzip(new GraphDocument(new ArrayList<>(graph.nodes().values()), new ArrayList<>(graph.edges().values())));
  }

  static Graph decodeGraph(byte[] stored) {
    GraphDocument doc = gunzip(stored, GraphDocument.class);
    return Graph.of(doc.nodes(), doc.edges());
  }

  static byte[] encode(ChangeSet changes) {
    return gzip(changes);
  }

  static ChangeSet decodeChanges(byte[] stored) {
    return gunzip(stored, ChangeSet.class);
  }

  private static byte[] gzip(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes, 8192)) {
      MAPPER.writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T gunzip(byte[] stored, Class<T> type) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored), 8192)) {
      return MAPPER.readValue(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException("stored " + type.getSimpleName() + " cannot be read", e);
    }
  }
}
