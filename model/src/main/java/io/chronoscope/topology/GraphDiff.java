package io.chronoscope.topology;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Computes the {@link ChangeSet} between two graphs in one pass over each: both keep their maps
 * in key order, so the two are walked side by side, and an entry both share (the same instance,
 * as after {@link Graph#toBuilder()}) is passed over without comparing its attributes.
 */
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
    Iterator<Map.Entry<String, T>> before = from.entrySet().iterator();
    Iterator<Map.Entry<String, T>> after = to.entrySet().iterator();
    Map.Entry<String, T> b = before.hasNext() ? before.next() : null;
    Map.Entry<String, T> a = after.hasNext() ? after.next() : null;
    while (b != null || a != null) {
      int c = b == null ? 1 : a == null ? -1 : b.getKey().compareTo(a.getKey());
      if (c < 0) {
        removed.add(b.getValue());
      } else if (c > 0) {
        added.add(a.getValue());
      } else if (b.getValue() != a.getValue() && !b.getValue().equals(a.getValue())) {
        changed.add(new ChangeSet.Change<>(b.getValue(), a.getValue()));
      }
      if (c <= 0) {
        b = before.hasNext() ? before.next() : null;
      }
      if (c >= 0) {
        a = after.hasNext() ? after.next() : null;
      }
    }
  }
}
