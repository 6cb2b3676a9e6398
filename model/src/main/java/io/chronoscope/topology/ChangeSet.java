package io.chronoscope.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  public record Change<T>(T before, T after) {
    Change<T> reversed() {
      return new Change<>(after, before);
    }
  }

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

  /**
   * The change set that undoes this one: applied to the graph after this tick it gives the graph
   * before it. {@code at} is the instant that earlier graph belongs to.
   */
  public ChangeSet inverse(long at) {
    return new ChangeSet(at, removedNodes, addedNodes, changedNodes.stream().map(Change::reversed).toList(),
        removedEdges, addedEdges, changedEdges.stream().map(Change::reversed).toList());
  }

  /**
   * The net effect of consecutive change sets, oldest first, as one change set stamped {@code at}:
   * a node that came and went between them is in neither list, one changed twice is changed once
   * from its first value to its last.
   */
  public static ChangeSet net(long at, List<ChangeSet> sequence) {
    Map<String, Object[]> nodes = new LinkedHashMap<>();
    Map<String, Object[]> edges = new LinkedHashMap<>();
    for (ChangeSet c : sequence) {
      c.addedNodes.forEach(n -> track(nodes, n.id(), null, n));
      c.removedNodes.forEach(n -> track(nodes, n.id(), n, null));
      c.changedNodes.forEach(ch -> track(nodes, ch.after().id(), ch.before(), ch.after()));
      c.addedEdges.forEach(e -> track(edges, e.key(), null, e));
      c.removedEdges.forEach(e -> track(edges, e.key(), e, null));
      c.changedEdges.forEach(ch -> track(edges, ch.after().key(), ch.before(), ch.after()));
    }
    List<Node> addedN = new ArrayList<>();
    List<Node> removedN = new ArrayList<>();
    List<Change<Node>> changedN = new ArrayList<>();
    nodes.values().forEach(v -> sort(v, addedN, removedN, changedN));
    List<Edge> addedE = new ArrayList<>();
    List<Edge> removedE = new ArrayList<>();
    List<Change<Edge>> changedE = new ArrayList<>();
    edges.values().forEach(v -> sort(v, addedE, removedE, changedE));
    return new ChangeSet(at, addedN, removedN, changedN, addedE, removedE, changedE);
  }

  /** Keeps the first "before" and the latest "after" of one element. */
  private static void track(Map<String, Object[]> seen, String key, Object before, Object after) {
    Object[] v = seen.get(key);
    if (v == null) {
      seen.put(key, new Object[] {before, after});
    } else {
      v[1] = after;
    }
  }

  private static <T> void sort(Object[] v, List<T> added, List<T> removed, List<Change<T>> changed) {
    @SuppressWarnings("unchecked")
    T before = (T) v[0];
    @SuppressWarnings("unchecked")
    T after = (T) v[1];
    if (before == null && after != null) {
      added.add(after);
    } else if (before != null && after == null) {
      removed.add(before);
    } else if (before != null && !before.equals(after)) {
      changed.add(new Change<>(before, after));
    }
  }
}
