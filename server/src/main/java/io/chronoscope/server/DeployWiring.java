package io.chronoscope.server;

import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.DeployTimeline;
import io.chronoscope.deploys.hooks.HookSecrets;
import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import io.chronoscope.deploys.store.PostgresDeployEventStore;
import io.chronoscope.deploys.verdict.MetricHistory;
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
   * Verdicts judge by {@link MetricHistory#NONE} until the store's metric series are wired in:
   * until then only failed rollouts get one (with their rollback command).
   */
  static DeployWiring of(TopologyStore topology, Map<String, String> env) {
    DeployEventStore store = topology instanceof PostgresTopologyStore pg
        ? new PostgresDeployEventStore(pg.deploys()) : new MemoryDeployEventStore();
    VerdictJob verdicts = new VerdictJob(store,
        new VerdictJudge(MetricHistory.NONE, store, VerdictJudge.Settings.DEFAULT));
    return new DeployWiring(new DeployRecorder(store), HookSecrets.fromEnvironment(env), new DeployTimeline(store),
        verdicts);
  }
}
