package io.chronoscope.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The changes of one tick: what was added, removed and changed between two graphs. Removals and
 * changes carry the previous values, so a change set can be applied forwards or backwards
 * (scrubbing back in time un-applies deltas instead of reloading).
 *
 * @param at epoch milliseconds of the tick that produced these changes
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ChangeSet(
    long at,
    List<Node> addedNodes,
    List<Node> removedNodes,
    List<Change<Node>> changedNodes,
    List<Edge> addedEdges,
    List<Edge> removedEdges,
    List<Change<Edge>> changedEdges) {

  public ChangeSet {
    addedNodes = List.copyOf(addedNodes);
    removedNodes = List.copyOf(removedNodes);
    changedNodes = List.copyOf(changedNodes);
    addedEdges = List.copyOf(addedEdges);
    removedEdges = List.copyOf(removedEdges);
    changedEdges = List.copyOf(changedEdges);
  }

  /** A value before and after one change. */
  public record Change<T>(T before, T after) {}

  /** The changes that turn {@code from} into {@code to}. */
  public static ChangeSet between(long at, Graph from, Graph to) {
    return GraphDiff.between(at, from, to);
  }

  @JsonIgnore
  public boolean isEmpty() {
    return size() == 0;
  }

  public int size() {
    return addedNodes.size() + removedNodes.size() + changedNodes.size()
        + addedEdges.size() + removedEdges.size() + changedEdges.size();
  }

  /** Applies these changes forwards. */
  public Graph applyTo(Graph g) {
    return applyTo(g.toBuilder()).build();
  }

  /**
   * Applies these changes forwards onto a builder, so replaying many deltas copies the graph once
   * instead of once per delta.
   */
  public Graph.Builder applyTo(Graph.Builder b) {
    removedEdges.forEach(e -> b.removeEdge(e.key()));
    removedNodes.forEach(n -> b.removeNode(n.id()));
    addedNodes.forEach(b::node);
    changedNodes.forEach(c -> b.node(c.after()));
    addedEdges.forEach(b::edge);
    changedEdges.forEach(c -> b.edge(c.after()));
    return b;
  }

  /** Applies these changes backwards: the graph as it was before this tick. */
  public Graph revert(Graph g) {
    Graph.Builder b = g.toBuilder();
    addedEdges.forEach(e -> b.removeEdge(e.key()));
    addedNodes.forEach(n -> b.removeNode(n.id()));
    removedNodes.forEach(b::node);
    changedNodes.forEach(c -> b.node(c.before()));
    removedEdges.forEach(b::edge);
    changedEdges.forEach(c -> b.edge(c.before()));
    return b.build();
  }
}
