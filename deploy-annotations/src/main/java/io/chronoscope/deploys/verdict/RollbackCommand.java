package io.chronoscope.deploys.verdict;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.DeployQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The command that returns a target to its last good revision: the newest earlier event of the
 * same target (or, for a pipeline event, of the rollout stitched to it) that succeeded, was not
 * judged bad and ran another revision.
 */
final class RollbackCommand {
  static final Duration LOOKBACK = Duration.ofDays(30);

  private final DeployEventStore store;

  RollbackCommand(DeployEventStore store) {
    this.store = store;
  }

  Optional<String> forDeploy(DeployEvent event) {
    for (DeployEvent rollout : rolloutsOf(event)) {
      Optional<String> command = command(rollout);
      if (command.isPresent()) {
        return command;
      }
    }
    return Optional.empty();
  }

  /** The event itself first, then what it was stitched to: Kubernetes, Helm, Argo CD. */
  private List<DeployEvent> rolloutsOf(DeployEvent event) {
    List<DeployEvent> candidates = new ArrayList<>(List.of(event));
    if (event.deployId() != null) {
      long at = event.at();
      store.find(new DeployQuery(at - Duration.ofHours(6).toMillis(), at + Duration.ofHours(6).toMillis(), null,
          null, 10_000)).stream()
          .filter(e -> event.deployId().equals(e.deployId()) && !e.id().equals(event.id()))
          .forEach(candidates::add);
    }
    return candidates;
  }

  private Optional<String> command(DeployEvent rollout) {
    String system = rollout.source().system();
    DeployEvent.Target t = rollout.target();
    String kind = t.workloadKind() == null ? "" : t.workloadKind().toLowerCase(Locale.ROOT);
    if (system.equals("kubernetes") && List.of("deployment", "statefulset", "daemonset").contains(kind)) {
      return lastGood(rollout).map(good -> "kubectl rollout undo " + kind + "/" + t.workload()
          + namespace(t) + " --to-revision=" + good.revision());
    }
    if (system.equals("helm") || kind.equals("helmrelease")) {
      String release = rollout.attributes().getOrDefault("release", t.workload());
      return lastGood(rollout).map(good -> "helm rollback " + release + " "
          + good.attributes().getOrDefault("helmRevision", good.revision()) + namespace(t));
    }
    if (system.equals("argocd")) {
      return lastGood(rollout).filter(good -> good.attributes().get("historyId") != null)
          .map(good -> "argocd app rollback " + t.service() + " " + good.attributes().get("historyId"));
    }
    return Optional.empty();
  }

  private Optional<DeployEvent> lastGood(DeployEvent rollout) {
    // The earlier of the two: a start stamped by another clock must not let later events in.
    long start = rollout.startedAt() != null ? Math.min(rollout.startedAt(), rollout.at()) : rollout.at();
    List<DeployEvent> earlier = store.find(new DeployQuery(start - LOOKBACK.toMillis(), start - 1,
        rollout.target().key(), null, 10_000));
    for (int i = earlier.size() - 1; i >= 0; i--) {
      DeployEvent e = earlier.get(i);
      boolean good = e.phase().equals("succeeded")
          && (e.verdict() == null || e.verdict().status().equals("healthy"));
      if (good && e.source().system().equals(rollout.source().system()) && e.revision() != null
          && !e.revision().equals(rollout.revision())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static String namespace(DeployEvent.Target t) {
    return t.namespace() == null ? "" : " -n " + t.namespace();
  }
}
