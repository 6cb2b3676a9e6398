package io.chronoscope.server;

import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.DeployTimeline;
import io.chronoscope.deploys.hooks.HookSecrets;
import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import io.chronoscope.deploys.store.PostgresDeployEventStore;
import io.chronoscope.deploys.verdict.StoreMetricHistory;
import io.chronoscope.deploys.verdict.VerdictJob;
import io.chronoscope.deploys.verdict.VerdictJudge;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import java.util.Map;

/**
 * The deploy-annotation beans, kept where the topology is: PostgreSQL's {@code deploy_events}
 * beside a PostgreSQL store, memory beside the memory store.
 */
record DeployWiring(DeployRecorder recorder, HookSecrets secrets, DeployTimeline timeline, VerdictJob verdicts) {

  /**
   * @param topology the store this collector writes (its own shard: deploy events are not sharded)
   *     whose metric series the verdicts judge by
   */
  static DeployWiring of(TopologyStore topology, Map<String, String> env) {
    DeployEventStore store = topology instanceof PostgresTopologyStore pg
        ? new PostgresDeployEventStore(pg.deploys()) : new MemoryDeployEventStore();
    VerdictJob verdicts = new VerdictJob(store,
        new VerdictJudge(new StoreMetricHistory(topology.metrics(), topology), store, VerdictJudge.Settings.DEFAULT));
    return new DeployWiring(new DeployRecorder(store), HookSecrets.fromEnvironment(env), new DeployTimeline(store),
        verdicts);
  }
}
