package io.chronoscope.deploys;

import io.chronoscope.deploys.store.DeployEventStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The one path every event takes, whatever brought it (webhook, CLI, Kubernetes watcher): stored
 * once per dedup key, then stitched to the deploy it belongs to.
 */
public final class DeployRecorder {
  private final DeployEventStore store;
  private final Stitcher stitcher;

  public DeployRecorder(DeployEventStore store) {
    this.store = store;
    this.stitcher = new Stitcher(store);
  }

  public DeployEventStore store() {
    return store;
  }

  /** What became of a batch: ids newly stored and ids already there (redeliveries). */
  public record Outcome(List<String> recorded, List<String> duplicates) {}

  public Outcome record(List<DeployEvent> events) {
    List<String> recorded = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    for (DeployEvent e : events) {
      if (store.record(e)) {
        recorded.add(e.id());
        stitcher.stitch(e);
      } else {
        duplicates.add(e.id());
      }
    }
    return new Outcome(recorded, duplicates);
  }
}
