package io.chronoscope.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chronoscope.model.Json;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The shapes {@code <chronoscope-graph>} and {@code <chronoscope-timeline>} read: only what the
 * drawing needs (id, label, kind; edge ends, connections and bytes), never the node attributes,
 * so a refresh stays small.
 */
final class GraphJson {
  private GraphJson() {}

  static String of(Graph g) {
    ObjectNode root = Json.mapper().createObjectNode();
    nodes(root.putArray("nodes"), g.nodes().values());
    edges(root.putArray("edges"), g.edges().values());
    return root.toString();
  }

  /**
   * The tape: change sets that take the drawing from one bucket boundary to the next; removals
   * and changes carry what was there before, so the browser can apply them backwards too.
   */
  static String tape(Timeline t, int position) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("from", t.from()).put("to", t.to()).put("step", t.stepMs()).put("position", position);
    ArrayNode sets = root.putArray("sets");
    for (ChangeSet c : t.tape()) {
      sets.add(changeSet(drawnChanges(c)));
    }
    return root.toString();
  }

  /** A diff for compare mode, with the same member names as a tape's change set. */
  static String diff(ChangeSet c) {
    return changeSet(c).toString();
  }

  /** Bars and markers for the timeline's histogram. */
  static String timeline(Timeline t) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("from", t.from()).put("to", t.to()).put("step", t.stepMs());
    ArrayNode counts = root.putArray("changes");
    for (int c : t.changes()) {
      counts.add(c);
    }
    ArrayNode events = root.putArray("events");
    for (TimelineEvent e : t.events()) {
      events.addObject().put("id", e.id()).put("at", e.at()).put("kind", e.kind()).put("phase", e.phase())
          .put("target", e.target()).put("title", e.title()).put("verdict", e.verdict());
    }
    ArrayNode bursts = root.putArray("bursts");
    t.bursts().forEach(bursts::add);
    return root.toString();
  }

  /**
   * Only the changes a drawing shows: a node's label or kind, an edge's connection count or width.
   * Byte counters move on every edge at every tick; sending those would make the tape as large as
   * the graph for each step, and each one would restyle an edge for nothing.
   */
  static ChangeSet drawnChanges(ChangeSet c) {
    List<ChangeSet.Change<Node>> nodes = c.changedNodes().stream()
        .filter(ch -> !sameDrawing(ch.before(), ch.after())).toList();
    List<ChangeSet.Change<Edge>> edges = c.changedEdges().stream()
        .filter(ch -> !sameDrawing(ch.before(), ch.after())).toList();
    if (nodes.size() == c.changedNodes().size() && edges.size() == c.changedEdges().size()) {
      return c;
    }
    return new ChangeSet(c.at(), c.addedNodes(), c.removedNodes(), nodes, c.addedEdges(), c.removedEdges(), edges);
  }

  /** Same connection count and the same width step: log10 of the bytes, in quarters, as the drawing rounds it. */
  static boolean sameDrawing(Edge a, Edge b) {
    return Objects.equals(a.attrs().get("connections"), b.attrs().get("connections"))
        && widthStep(bytes(a)) == widthStep(bytes(b));
  }

  private static long widthStep(long bytes) {
    return Math.round(4 * Math.log10(1 + bytes));
  }

  private static ObjectNode changeSet(ChangeSet c) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("at", c.at());
    nodes(o.putArray("addedNodes"), c.addedNodes());
    nodes(o.putArray("removedNodes"), c.removedNodes());
    ArrayNode changedNodes = o.putArray("changedNodes");
    for (ChangeSet.Change<Node> ch : c.changedNodes()) {
      ArrayNode pair = changedNodes.addArray();
      node(pair, ch.before());
      node(pair, ch.after());
    }
    edges(o.putArray("addedEdges"), c.addedEdges());
    edges(o.putArray("removedEdges"), c.removedEdges());
    ArrayNode changedEdges = o.putArray("changedEdges");
    for (ChangeSet.Change<Edge> ch : c.changedEdges()) {
      ArrayNode pair = changedEdges.addArray();
      edge(pair, ch.before());
      edge(pair, ch.after());
    }
    return o;
  }

  private static void nodes(ArrayNode out, Collection<Node> nodes) {
    nodes.forEach(n -> node(out, n));
  }

  private static void node(ArrayNode out, Node n) {
    out.addObject()
        .put("id", n.id())
        .put("label", n.label() == null || n.label().isBlank() ? n.id() : n.label())
        .put("kind", n.kind());
  }

  private static void edges(ArrayNode out, Collection<Edge> edges) {
    edges.forEach(e -> edge(out, e));
  }

  private static void edge(ArrayNode out, Edge e) {
    ObjectNode o = out.addObject()
        .put("id", e.key())
        .put("source", e.source())
        .put("target", e.target());
    if (e.attrs().get("connections") instanceof Long connections) {
      o.put("connections", connections);
    }
    long bytes = bytes(e);
    if (bytes > 0) {
      o.put("bytes", bytes);
    }
  }

  /** Traffic both ways: the edge's width says how much went over it. */
  static long bytes(Edge e) {
    long sum = 0;
    for (String key : new String[] {"bytesSent", "bytesReceived"}) {
      if (e.attrs().get(key) instanceof Number n) {
        sum += n.longValue();
      }
    }
    return sum;
  }

  static boolean sameDrawing(Node a, Node b) {
    return Objects.equals(a.label(), b.label()) && Objects.equals(a.kind(), b.kind());
  }
}
