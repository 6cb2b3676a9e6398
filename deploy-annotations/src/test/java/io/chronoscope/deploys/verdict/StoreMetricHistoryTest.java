package io.chronoscope.deploys.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.MetricStore;
import io.chronoscope.store.memory.MemoryMetricStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import org.junit.jupiter.api.Test;

class StoreMetricHistoryTest {
  private static final long T0 = 1_800_000_000_000L;

  @Test
  void aWorkloadTargetReadsItsWorkloadNodesSeriesPerStep() {
    MemoryMetricStore store = new MemoryMetricStore(Duration.ofHours(2));
    List<MetricStore.Sample> samples = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Every 10 s, two samples per minute-step apart from the gap at 30-40 s.
      if (i != 3) {
        samples.add(new MetricStore.Sample("<workload>;shop/deployment/api", "cpu", T0 + i * 10_000L + 1, 10 * i));
      }
    }
    store.record(samples);
    StoreMetricHistory history = new StoreMetricHistory(store, new MemoryTopologyStore(Duration.ofHours(2), Duration.ofMinutes(10)));

    double[] values = history.values("prod-eu/shop/Deployment/api", "cpu_percent", T0, T0 + 60_000, 20_000);

    assertThat(values).containsExactly(5, 20, 45);
    assertThat(history.values("shop/deployment/api", "cpu_percent", T0, T0 + 60_000, 20_000)).containsExactly(5, 20, 45);
    assertThat(history.values("prod-eu/shop/deployment/api", "restarts", T0, T0 + 60_000, 20_000)).isEmpty();
    assertThat(history.values("production/api", "cpu_percent", T0, T0 + 60_000, 20_000)).isEmpty();
    assertThat(history.values("shop/deployment/other", "cpu_percent", T0, T0 + 60_000, 20_000))
        .containsOnly(Double.NaN).hasSize(3);
  }

  /** A rolling update half done: one pod of the old ReplicaSet, one of the new, each with its series. */
  @Test
  void podsOfTheTargetComeWithTheirTemplateHashAndTheirOwnSeries() {
    MemoryTopologyStore topology = new MemoryTopologyStore(Duration.ofHours(2), Duration.ofMinutes(10));
    Node oldPod = pod("uid-1", "api-6c9f8d7b4-aaaaa", "6c9f8d7b4");
    Node newPod = pod("uid-2", "api-7d4b9c6f5-bbbbb", "7d4b9c6f5");
    Node other = pod("uid-3", "web-5f6d7c8b9-ccccc", "5f6d7c8b9");
    topology.append(ChangeSet.between(T0, Graph.EMPTY, Graph.of(List.of(oldPod, newPod, other), List.of())));
    topology.metrics().record(List.of(new MetricStore.Sample("pod;uid-1", "cpu", T0 + 5_000, 10),
        new MetricStore.Sample("pod;uid-2", "cpu", T0 + 5_000, 40)));
    StoreMetricHistory history = new StoreMetricHistory(topology.metrics(), topology);

    Map<String, MetricHistory.Instance> pods = history.instances("shop/deployment/api", "cpu_percent", T0, T0 + 20_000, 10_000);

    assertThat(pods).containsOnlyKeys("pod;uid-1", "pod;uid-2");
    assertThat(pods.get("pod;uid-1").revision()).isEqualTo("6c9f8d7b4");
    assertThat(pods.get("pod;uid-2").values()).containsExactly(40, Double.NaN);
    DeployEvent deploy = DeployEvent.builder("kubernetes", "rs-uid:7:succeeded").kind("deploy").phase("succeeded")
        .at(T0).target(new DeployEvent.Target(null, "shop", "deployment", "api", null, null)).revision("7")
        .attribute("replicaSet", "api-7d4b9c6f5").build();
    assertThat(VerdictJudge.runsNewRevision(deploy, pods.get("pod;uid-2"))).isTrue();
    assertThat(VerdictJudge.runsNewRevision(deploy, pods.get("pod;uid-1"))).isFalse();
  }

  private static Node pod(String uid, String name, String hash) {
    return new Node("pod;" + uid, Kinds.POD, name, Map.of("namespace", "shop", "label.pod-template-hash", hash,
        "label.app", name.substring(0, name.indexOf('-'))));
  }
}
