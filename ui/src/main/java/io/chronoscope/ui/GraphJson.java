package io.chronoscope.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chronoscope.model.Json;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;

/**
 * The shape {@code <chronoscope-graph>.setGraph()} reads: only what the drawing needs (id, label,
 * kind; edge ends and weight), never the node attributes, so a refresh stays small.
 */
final class GraphJson {
  private GraphJson() {}

  static String of(Graph g) {
    ObjectNode root = Json.mapper().createObjectNode();
    ArrayNode nodes = root.putArray("nodes");
    for (Node n : g.nodes().values()) {
      nodes.addObject()
          .put("id", n.id())
          .put("label", n.label() == null || n.label().isBlank() ? n.id() : n.label())
          .put("kind", n.kind());
    }
    ArrayNode edges = root.putArray("edges");
    for (Edge e : g.edges().values()) {
      ObjectNode o = edges.addObject()
          .put("id", e.key())
          .put("source", e.source())
          .put("target", e.target());
      if (e.attrs().get("connections") instanceof Long connections) {
        o.put("connections", connections);
      }
    }
    return root.toString();
  }
}
