package io.chronoscope.ui;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.List;

/** One line of compare mode's list of differences: added, removed or changed; a node or an edge. */
record DiffRow(String change, String type, String name, String id) {

  static List<DiffRow> of(ChangeSet d) {
    List<DiffRow> rows = new ArrayList<>();
    d.addedNodes().forEach(n -> rows.add(node("added", n)));
    d.removedNodes().forEach(n -> rows.add(node("removed", n)));
    d.changedNodes().forEach(c -> rows.add(node("changed", c.after())));
    Graph names = Graph.of(names(d), List.of());
    d.addedEdges().forEach(e -> rows.add(edge("added", e, names)));
    d.removedEdges().forEach(e -> rows.add(edge("removed", e, names)));
    d.changedEdges().forEach(c -> rows.add(edge("changed", c.after(), names)));
    return rows;
  }

  static String summary(ChangeSet d) {
    return (d.addedNodes().size() + d.addedEdges().size()) + " added, "
        + (d.removedNodes().size() + d.removedEdges().size()) + " removed, "
        + (d.changedNodes().size() + d.changedEdges().size()) + " changed";
  }

  private static DiffRow node(String change, Node n) {
    return new DiffRow(change, n.kind(), n.label() == null || n.label().isBlank() ? n.id() : n.label(), n.id());
  }

  /** An edge reads "client → server" by labels where the change set knows them, else by ids. */
  private static DiffRow edge(String change, Edge e, Graph names) {
    return new DiffRow(change, "edge", name(names, e.source()) + " → " + name(names, e.target()), e.source());
  }

  private static List<Node> names(ChangeSet d) {
    List<Node> nodes = new ArrayList<>(d.addedNodes());
    nodes.addAll(d.removedNodes());
    d.changedNodes().forEach(c -> nodes.add(c.after()));
    return nodes;
  }

  private static String name(Graph names, String id) {
    Node n = names.node(id);
    return n == null || n.label() == null || n.label().isBlank() ? id : n.label();
  }
}
