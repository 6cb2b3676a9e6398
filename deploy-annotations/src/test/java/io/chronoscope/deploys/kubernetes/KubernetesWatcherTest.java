package io.chronoscope.deploys.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import io.chronoscope.deploys.verdict.MetricHistory;
import io.chronoscope.deploys.verdict.VerdictJudge;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher against fabric8's mock API server in CRUD mode, fed with API objects in the shape
 * the API server returns them (src/test/resources/kubernetes): each step of a rollout is the
 * object replaced on the server, as a controller would.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesWatcherTest {
  static final Instant NOW = Instant.parse("2026-11-23T11:00:00Z");
  /** How long an informer may take to deliver; a wait, not a timing assertion. */
  static final Duration DELIVERY = Duration.ofSeconds(30);

  KubernetesClient client;
  private MemoryDeployEventStore store;
  private KubernetesWatcher watcher;

  @BeforeEach
  void start() {
    store = new MemoryDeployEventStore();
    watcher = new KubernetesWatcher(client, new DeployRecorder(store), "prod", Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    watcher.close();
  }

  private <T extends HasMetadata> T fixture(String name, Class<T> type) {
    try (InputStream in = getClass().getResourceAsStream("/kubernetes/" + name)) {
      T object = client.getKubernetesSerialization().unmarshal(in, type);
      // The server owns resourceVersion: a replace carries none, as kubectl replace --force would.
      object.getMetadata().setResourceVersion(null);
      return object;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates the object or replaces it, status included. */
  private void apply(String name, Class<? extends HasMetadata> type) {
    HasMetadata object = fixture(name, type);
    HasMetadata current = client.resource(object).get();
    if (current == null) {
      client.resource(object).create();
    } else {
      client.resource(object).update();
    }
  }

  private DeployEvent await(String what, Predicate<DeployEvent> match) throws InterruptedException {
    long deadline = System.nanoTime() + DELIVERY.toNanos();
    while (System.nanoTime() < deadline) {
      for (DeployEvent e : all()) {
        if (match.test(e)) {
          return e;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no event " + what + " within " + DELIVERY + "; recorded: " + all());
  }

  private List<DeployEvent> all() {
    return store.find(DeployQuery.between(0, Long.MAX_VALUE));
  }

  private static Predicate<DeployEvent> revision(String revision, String phase) {
    return e -> revision.equals(e.revision()) && phase.equals(e.phase());
  }

  @Test
  void aDeploymentRolloutFromStartToStuckAndBack() throws Exception {
    apply("replicaset-api-7d4b9c6f5.json", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class);
    apply("deployment-api-rev1.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    watcher.start();
    DeployEvent first = await("revision 1 as it is", revision("1", "succeeded"));
    assertThat(first.target().key()).isEqualTo("prod/shop/deployment/api");

    apply("replicaset-api-5f6c7d8e9.json", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class);
    apply("deployment-api-rev2-progressing.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    DeployEvent progressing = await("revision 2 progressing", revision("2", "progressing"));
    apply("deployment-api-rev2-complete.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    DeployEvent done = await("revision 2 done", revision("2", "succeeded"));

    assertThat(progressing.previousRevision()).isEqualTo("1");
    // The server stamps creation itself: the new ReplicaSet's creation is when the rollout started.
    String created = client.apps().replicaSets().inNamespace("shop").withName("api-5f6c7d8e9").get()
        .getMetadata().getCreationTimestamp();
    assertThat(progressing.startedAt()).isEqualTo(Instant.parse(created).toEpochMilli());
    assertThat(done.kind()).isEqualTo("deploy");
    assertThat(done.at()).isEqualTo(Instant.parse("2026-11-23T10:01:30Z").toEpochMilli());
    assertThat(done.finishedAt()).isEqualTo(done.at());
    assertThat(done.version()).isEqualTo("1.4.3");
    assertThat(done.images()).extracting(DeployEvent.Image::digest)
        .containsExactly("sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
    assertThat(done.changeCause()).isEqualTo("deploy 1.4.3 (CI run 6794302136)");
    assertThat(done.attributes()).containsEntry("replicaSet", "api-5f6c7d8e9");

    apply("replicaset-api-6b8d9f7c5.json", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class);
    apply("deployment-api-rev3-deadline-exceeded.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    DeployEvent stuck = await("revision 3 stuck", revision("3", "stuck"));
    assertThat(stuck.changeCause()).contains("timed out progressing");

    // kubectl rollout undo: revision 2's ReplicaSet becomes revision 4 and remembers it was 2.
    apply("replicaset-api-5f6c7d8e9-rolled-back.json", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class);
    apply("deployment-api-rev4-rollback.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    DeployEvent rollback = await("the rollback", revision("4", "succeeded"));
    assertThat(rollback.kind()).isEqualTo("rollback");
    assertThat(rollback.previousRevision()).isEqualTo("3");
    assertThat(rollback.attributes()).containsEntry("rolledBackTo", "2");

    VerdictJudge judge = new VerdictJudge(MetricHistory.NONE, store, VerdictJudge.Settings.DEFAULT);
    DeployEvent.Verdict verdict = judge.judge(stuck, NOW.toEpochMilli()).orElseThrow();
    assertThat(verdict.status()).isEqualTo("failed");
    assertThat(verdict.rollback()).isEqualTo("kubectl rollout undo deployment/api -n shop --to-revision=2");
  }

  @Test
  void aStatefulSetRollsThroughItsControllerRevisions() throws Exception {
    apply("controllerrevision-db-6d8f9c7b5.json", io.fabric8.kubernetes.api.model.apps.ControllerRevision.class);
    apply("statefulset-db-rev1.json", io.fabric8.kubernetes.api.model.apps.StatefulSet.class);
    watcher.start();
    await("revision 1 as it is", revision("1", "succeeded"));

    apply("controllerrevision-db-7c9d8b6f4.json", io.fabric8.kubernetes.api.model.apps.ControllerRevision.class);
    apply("statefulset-db-rev2-rolling.json", io.fabric8.kubernetes.api.model.apps.StatefulSet.class);
    DeployEvent rolling = await("revision 2 rolling", revision("2", "progressing"));
    apply("statefulset-db-rev2-complete.json", io.fabric8.kubernetes.api.model.apps.StatefulSet.class);
    DeployEvent done = await("revision 2 done", revision("2", "succeeded"));

    assertThat(rolling.target().key()).isEqualTo("prod/shop/statefulset/db");
    assertThat(rolling.previousRevision()).isEqualTo("1");
    assertThat(done.version()).isEqualTo("15.8");
    assertThat(done.attributes()).containsEntry("controllerRevision", "db-7c9d8b6f4");
  }

  @Test
  void helmReleasesFromTheirSecrets() throws Exception {
    apply("helm-release-web-v3.json", io.fabric8.kubernetes.api.model.Secret.class);
    watcher.start();
    DeployEvent v3 = await("release 3", e -> "3".equals(e.revision()));
    apply("helm-release-web-v4-failed.json", io.fabric8.kubernetes.api.model.Secret.class);
    DeployEvent v4 = await("release 4", e -> "4".equals(e.revision()));
    apply("helm-release-web-v5-rollback.json", io.fabric8.kubernetes.api.model.Secret.class);
    DeployEvent v5 = await("release 5", e -> "5".equals(e.revision()));

    assertThat(v3.source().system()).isEqualTo("helm");
    assertThat(v3.phase()).isEqualTo("succeeded");
    assertThat(v3.chart()).isEqualTo("web-0.9.0");
    assertThat(v3.version()).isEqualTo("2.1.0");
    assertThat(v3.target().key()).isEqualTo("prod/shop/helmrelease/web");
    assertThat(v4.phase()).isEqualTo("failed");
    assertThat(v4.changeCause()).contains("context deadline exceeded");
    assertThat(v5.kind()).isEqualTo("rollback");
    assertThat(v5.attributes()).containsEntry("rolledBackTo", "3");
    assertThat(new VerdictJudge(MetricHistory.NONE, store, VerdictJudge.Settings.DEFAULT)
        .judge(v4, NOW.toEpochMilli()).orElseThrow().rollback()).isEqualTo("helm rollback web 3 -n shop");
  }

  @Test
  void aChangedConfigMapIsAConfigEventOfTheWorkloadThatReadsIt() throws Exception {
    apply("replicaset-api-7d4b9c6f5.json", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class);
    apply("deployment-api-rev1.json", io.fabric8.kubernetes.api.model.apps.Deployment.class);
    apply("configmap-api-config.json", io.fabric8.kubernetes.api.model.ConfigMap.class);
    watcher.start();
    await("the deployment as it is", revision("1", "succeeded"));

    apply("configmap-api-config-changed.json", io.fabric8.kubernetes.api.model.ConfigMap.class);
    DeployEvent config = await("the config change", e -> "config".equals(e.kind()));

    assertThat(config.target().key()).isEqualTo("prod/shop/deployment/api");
    assertThat(config.changeCause()).isEqualTo("ConfigMap api-config changed");
    assertThat(all()).filteredOn(e -> "config".equals(e.kind())).hasSize(1);
  }

  @Test
  void aDaemonSetRollsOutAndARotatedSecretItMountsIsAConfigEvent() throws Exception {
    apply("controllerrevision-node-agent-5c7d8f9b6.json", io.fabric8.kubernetes.api.model.apps.ControllerRevision.class);
    apply("daemonset-node-agent-rev1.json", io.fabric8.kubernetes.api.model.apps.DaemonSet.class);
    apply("secret-node-agent-token.json", io.fabric8.kubernetes.api.model.Secret.class);
    watcher.start();
    await("revision 1 as it is", revision("1", "succeeded"));

    apply("controllerrevision-node-agent-6f8b9c7d5.json", io.fabric8.kubernetes.api.model.apps.ControllerRevision.class);
    apply("daemonset-node-agent-rev2-rolling.json", io.fabric8.kubernetes.api.model.apps.DaemonSet.class);
    DeployEvent rolling = await("revision 2 rolling", revision("2", "progressing"));
    apply("daemonset-node-agent-rev2-complete.json", io.fabric8.kubernetes.api.model.apps.DaemonSet.class);
    DeployEvent done = await("revision 2 done", revision("2", "succeeded"));
    apply("secret-node-agent-token-rotated.json", io.fabric8.kubernetes.api.model.Secret.class);
    DeployEvent config = await("the rotated secret", e -> "config".equals(e.kind()));

    assertThat(rolling.target().key()).isEqualTo("prod/kube-system/daemonset/node-agent");
    assertThat(rolling.previousRevision()).isEqualTo("1");
    assertThat(done.version()).isEqualTo("0.8.0");
    assertThat(config.target().key()).isEqualTo("prod/kube-system/daemonset/node-agent");
    assertThat(config.changeCause()).isEqualTo("Secret node-agent-token changed");
  }
}
