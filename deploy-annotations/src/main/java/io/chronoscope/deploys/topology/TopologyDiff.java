package io.chronoscope.deploys.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a deploy did to its target's neighbourhood: nodes and edges touching the target that
 * exist after the deploy and not before it (a new dependency), or before and not after.
 */
public final class TopologyDiff {
  private TopologyDiff() {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Side(List<Node> nodes, List<Edge> edges) {}

  /**
   * @param targetNodes the target's nodes before and after
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Result(String id, String target, String before, String after, boolean partial,
      List<String> targetNodes, Side added, Side removed) {}

  public static Result between(DeployEvent event, long beforeAt, Graph before, long afterAt, Graph after,
      boolean partial) {
    Set<String> target = new TreeSet<>(TargetNodes.of(before, event.target()));
    target.addAll(TargetNodes.of(after, event.target()));
    ChangeSet changes = ChangeSet.between(afterAt, before, after);
    Set<String> addedNear = neighbours(after, target);
    Set<String> removedNear = neighbours(before, target);
    Side added = new Side(
        changes.addedNodes().stream().filter(n -> addedNear.contains(n.id())).toList(),
        changes.addedEdges().stream().filter(e -> touches(e, target)).toList());
    Side removed = new Side(
        changes.removedNodes().stream().filter(n -> removedNear.contains(n.id())).toList(),
        changes.removedEdges().stream().filter(e -> touches(e, target)).toList());
    return new Result(event.id(), event.target().key(), java.time.Instant.ofEpochMilli(beforeAt).toString(),
        java.time.Instant.ofEpochMilli(afterAt).toString(), partial, List.copyOf(target), added, removed);
  }

  /** The target's nodes and every node one edge away from them. */
  private static Set<String> neighbours(Graph g, Set<String> target) {
    Set<String> near = new TreeSet<>(target);
    for (Edge e : g.edges().values()) {
      if (touches(e, target)) {
        near.add(e.source());
        near.add(e.target());
      }
    }
    return near;
  }

  private static boolean touches(Edge e, Set<String> target) {
    return target.contains(e.source()) || target.contains(e.target());
  }
}
