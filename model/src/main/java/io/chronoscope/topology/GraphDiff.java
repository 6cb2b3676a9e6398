package io.chronoscope.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Computes the {@link ChangeSet} between two graphs in one pass over each. */
final class GraphDiff {
  private GraphDiff() {}

  static ChangeSet between(long at, Graph from, Graph to) {
    List<Node> addedNodes = new ArrayList<>();
    List<Node> removedNodes = new ArrayList<>();
    List<ChangeSet.Change<Node>> changedNodes = new ArrayList<>();
    diff(from.nodes(), to.nodes(), addedNodes, removedNodes, changedNodes);
    List<Edge> addedEdges = new ArrayList<>();
    List<Edge> removedEdges = new ArrayList<>();
    List<ChangeSet.Change<Edge>> changedEdges = new ArrayList<>();
    diff(from.edges(), to.edges(), addedEdges, removedEdges, changedEdges);
    return new ChangeSet(at, addedNodes, removedNodes, changedNodes,
        addedEdges, removedEdges, changedEdges);
  }

  private static <T> void diff(Map<String, T> from, Map<String, T> to,
      List<T> added, List<T> removed, List<ChangeSet.Change<T>> changed) {
    from.forEach((k, before) -> {
      T after = to.get(k);
      if (after == null) {
        removed.add(before);
      } else if (!after.equals(before)) {
        changed.add(new ChangeSet.Change<>(before, after));
      }
    });
    to.forEach((k, after) -> {
      if (!from.containsKey(k)) {
        added.add(after);
      }
    });
  }
}
