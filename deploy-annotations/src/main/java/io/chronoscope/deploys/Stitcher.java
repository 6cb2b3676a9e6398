package io.chronoscope.deploys;

import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.DeployQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Joins the events of one deploy (the CI run, the GitOps sync, the Kubernetes rollout) under one
 * deploy id: events within {@link #WINDOW} of each other that share an image digest, a commit, or
 * the same run of the same system. A rollout (Kubernetes, Helm) in a group without any pipeline or
 * GitOps event is flagged manual; a pipeline event arriving later clears the flag.
 */
final class Stitcher {
  static final Duration WINDOW = Duration.ofHours(6);
  static final Set<String> ROLLOUT_SOURCES = Set.of("kubernetes", "helm");
  private static final int MAX_NEARBY = 10_000;

  private final DeployEventStore store;

  Stitcher(DeployEventStore store) {
    this.store = store;
  }

  void stitch(DeployEvent event) {
    List<DeployEvent> nearby = store.find(new DeployQuery(event.at() - WINDOW.toMillis(),
        event.at() + WINDOW.toMillis(), null, null, MAX_NEARBY));
    Set<String> keys = keys(event);
    Set<String> groups = new HashSet<>();
    List<DeployEvent> matched = new ArrayList<>();
    for (DeployEvent other : nearby) {
      if (!other.id().equals(event.id()) && keys(other).stream().anyMatch(keys::contains)) {
        matched.add(other);
        if (other.deployId() != null) {
          groups.add(other.deployId());
        }
      }
    }
    // Matching events may already belong to different deploys: this event bridges them into one.
    LinkedHashSet<DeployEvent> group = new LinkedHashSet<>(matched);
    for (DeployEvent other : nearby) {
      if (other.deployId() != null && groups.contains(other.deployId())) {
        group.add(other);
      }
    }
    group.removeIf(e -> e.id().equals(event.id()));
    group.add(event);
    String deployId = group.stream().min(Comparator.comparingLong(DeployEvent::at).thenComparing(DeployEvent::id))
        .map(e -> e.deployId() != null ? e.deployId() : e.id()).orElseThrow();
    boolean fromPipeline = group.stream().anyMatch(e -> !isRollout(e));
    for (DeployEvent e : group) {
      Boolean manual = isRollout(e) ? !fromPipeline : null;
      if (!deployId.equals(e.deployId()) || !Objects.equals(manual, e.manual())) {
        store.updateDerived(e.withDerived(deployId, manual, e.verdict()));
      }
    }
  }

  static boolean isRollout(DeployEvent e) {
    return ROLLOUT_SOURCES.contains(e.source().system());
  }

  /** What two events of one deploy have in common. */
  static Set<String> keys(DeployEvent e) {
    Set<String> keys = new HashSet<>();
    for (DeployEvent.Image image : e.images()) {
      if (image.digest() != null) {
        keys.add("digest:" + image.digest());
      }
    }
    for (String sha : new String[] {e.commit(), e.revision()}) {
      // Short and full SHAs of one commit agree on their first seven hex digits.
      if (sha != null && sha.length() >= 7 && sha.matches("[0-9a-fA-F]+")) {
        keys.add("commit:" + sha.substring(0, 7).toLowerCase(Locale.ROOT));
      }
    }
    String run = run(e);
    if (run != null) {
      keys.add("run:" + e.source().system() + ":" + run);
    }
    return keys;
  }

  /** The source's own notion of one deploy, shared by its started and finished events. */
  private static String run(DeployEvent e) {
    var a = e.attributes();
    if (a.get("deployment_id") != null) {
      return a.get("deployment_id");
    }
    if (a.get("executionId") != null) {
      return a.get("executionId");
    }
    if (a.get("job") != null && a.get("build") != null) {
      return a.get("job") + "#" + a.get("build");
    }
    if (e.revision() != null) {
      return e.target().key() + "@" + e.revision();
    }
    return null;
  }
}
