package io.chronoscope.deploys.store;

import io.chronoscope.deploys.DeployEvent;
import java.util.List;
import java.util.Optional;

/**
 * Where deploy events are kept: in memory (the embedded default) or in the topology's PostgreSQL.
 * Events are recorded once per dedup key; afterwards only what stitching and judging derive
 * ({@link DeployEvent#withDerived}) is ever rewritten.
 */
public interface DeployEventStore {

  /** Stores the event; false (and nothing changed) when one with its dedup key is already there. */
  boolean record(DeployEvent event);

  Optional<DeployEvent> byId(String id);

  /** Events matching the query, oldest first. */
  List<DeployEvent> find(DeployQuery query);

  /**
   * Replaces the derived parts (deploy id, manual, verdict) of the stored event with the same id.
   *
   * @return false when no such event is stored
   */
  boolean updateDerived(DeployEvent event);
}
