package io.chronoscope.deploys;

import static io.chronoscope.deploys.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CI run → GitOps sync → rollout joined by digest, commit or run; unexplained rollouts are manual. */
class StitcherTest {
  private static final String SHA = "7638417db6d59f3c431d3e1f261cc637155684cd";
  private static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
  private final MemoryDeployEventStore store = new MemoryDeployEventStore();
  private final DeployRecorder recorder = new DeployRecorder(store);

  private DeployEvent stored(DeployEvent e) {
    return store.byId(e.id()).orElseThrow();
  }

  private static DeployEvent ci(String key, long at, String phase) {
    return DeployEvent.builder("github", key).delivery(key, at, true).at(at).phase(phase)
        .target(Target.service("payments", "production")).commit(SHA).attribute("deployment_id", "99").build();
  }

  private static DeployEvent sync(long at) {
    return DeployEvent.builder("argocd", "payments:" + SHA.substring(0, 12) + ":Succeeded").delivery(null, at, true)
        .at(at).phase("succeeded").target(new Target(null, "shop", null, null, "payments", null))
        .revision(SHA).image(Image.parse("ghcr.io/acme/payments:1.4.3@" + DIGEST)).build();
  }

  private static DeployEvent rollout(String key, long at, String digest) {
    return DeployEvent.builder("kubernetes", key).delivery(null, at, true).at(at).phase("succeeded")
        .target(new Target("prod", "shop", "deployment", "payments", null, null)).revision("8")
        .image(new Image("ghcr.io/acme/payments", "1.4.3", digest)).build();
  }

  @Test
  void ciRunGitOpsSyncAndRolloutAreOneDeploy() {
    DeployEvent started = ci("d-1", T0, "started");
    DeployEvent finished = ci("d-2", T0 + 200_000, "succeeded");
    DeployEvent argo = sync(T0 + 60_000);
    DeployEvent k8s = rollout("rs-1", T0 + 90_000, DIGEST);

    recorder.record(List.of(started, argo, k8s, finished));

    String deployId = stored(started).deployId();
    assertThat(deployId).isEqualTo(started.id());
    assertThat(List.of(stored(argo), stored(k8s), stored(finished))).extracting(DeployEvent::deployId)
        .containsOnly(deployId);
    assertThat(stored(k8s).manual()).isFalse();
    assertThat(stored(started).manual()).isNull();
  }

  @Test
  void aRolloutNoPipelineExplainsIsManual() {
    recorder.record(List.of(ci("d-1", T0, "succeeded")));
    DeployEvent k8s = rollout("rs-2", T0 + 60_000, "sha256:ffff");

    recorder.record(List.of(k8s));

    assertThat(stored(k8s).manual()).isTrue();
    assertThat(stored(k8s).deployId()).isEqualTo(k8s.id());
  }

  @Test
  void aPipelineEventArrivingAfterTheRolloutClearsManual() {
    DeployEvent k8s = rollout("rs-3", T0 + 60_000, DIGEST);
    recorder.record(List.of(k8s));
    assertThat(stored(k8s).manual()).isTrue();

    DeployEvent argo = sync(T0 + 30_000);
    recorder.record(List.of(argo));

    assertThat(stored(k8s).manual()).isFalse();
    assertThat(stored(k8s).deployId()).isEqualTo(stored(argo).deployId());
  }

  @Test
  void anEventJoiningTwoDeploysMergesThem() {
    DeployEvent started = ci("d-1", T0, "started");
    DeployEvent k8s = rollout("rs-4", T0 + 90_000, DIGEST);
    recorder.record(List.of(started, k8s));
    assertThat(stored(k8s).deployId()).isNotEqualTo(stored(started).deployId());

    // The sync shares the commit with the CI run and the digest with the rollout.
    recorder.record(List.of(sync(T0 + 60_000)));

    assertThat(stored(k8s).deployId()).isEqualTo(stored(started).deployId());
    assertThat(stored(k8s).manual()).isFalse();
  }

  @Test
  void eventsFarApartInTimeStayApart() {
    DeployEvent early = ci("d-1", T0, "succeeded");
    DeployEvent late = rollout("rs-5", T0 + Stitcher.WINDOW.toMillis() + 1, DIGEST);
    DeployEvent lateSync = sync(T0 + Stitcher.WINDOW.toMillis() + 2);

    recorder.record(List.of(early, late, lateSync));

    assertThat(stored(late).deployId()).isEqualTo(stored(lateSync).deployId()).isNotEqualTo(stored(early).deployId());
  }

  @Test
  void aShortShaMatchesTheFullOne() {
    DeployEvent full = ci("d-1", T0, "succeeded");
    DeployEvent shortSha = DeployEvent.builder("gitlab", "x").delivery(null, T0, true).at(T0 + 1).phase("succeeded")
        .target(Target.service("payments", "production")).commit("7638417d").build();

    recorder.record(List.of(full, shortSha));

    assertThat(stored(shortSha).deployId()).isEqualTo(full.id());
  }
}
