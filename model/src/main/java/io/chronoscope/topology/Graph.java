package io.chronoscope.topology;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** An immutable topology graph: nodes by id and edges by {@link Edge#key()}. */
public final class Graph {
  public static final Graph EMPTY = new Graph(new TreeMap<>(), new TreeMap<>());

  private final SortedMap<String, Node> nodes;
  private final SortedMap<String, Edge> edges;

  private Graph(SortedMap<String, Node> nodes, SortedMap<String, Edge> edges) {
    this.nodes = Collections.unmodifiableSortedMap(nodes);
    this.edges = Collections.unmodifiableSortedMap(edges);
  }

  public static Graph of(Collection<Node> nodes, Collection<Edge> edges) {
    Builder b = builder();
    nodes.forEach(b::node);
    edges.forEach(b::edge);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.nodes.putAll(nodes);
    b.edges.putAll(edges);
    return b;
  }

  public Map<String, Node> nodes() {
    return nodes;
  }

  public Map<String, Edge> edges() {
    return edges;
  }

  public Node node(String id) {
    return nodes.get(id);
  }

  public boolean isEmpty() {
    return nodes.isEmpty() && edges.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Graph g && nodes.equals(g.nodes) && edges.equals(g.edges);
  }

  @Override
  public int hashCode() {
    return nodes.hashCode() * 31 + edges.hashCode();
  }

  @Override
  public String toString() {
    return "Graph[" + nodes.size() + " nodes, " + edges.size() + " edges]";
  }

  /** Mutable builder; the only place a graph is assembled. */
  public static final class Builder {
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final TreeMap<String, Edge> edges = new TreeMap<>();

    public Builder node(Node n) {
      nodes.put(n.id(), n);
      return this;
    }

    public Builder removeNode(String id) {
      nodes.remove(id);
      return this;
    }

    public Builder edge(Edge e) {
      edges.put(e.key(), e);
      return this;
    }

    public Builder removeEdge(String key) {
      edges.remove(key);
      return this;
    }

    public boolean hasNode(String id) {
      return nodes.containsKey(id);
    }

    public Graph build() {
      return new Graph(new TreeMap<>(nodes), new TreeMap<>(edges));
    }
  }
}
