package io.chronoscope.deploys.store;

import static io.chronoscope.deploys.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Verdict;
import io.chronoscope.deploys.Events;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every deploy event store must do; memory and PostgreSQL run the same suite. */
public abstract class DeployEventStoreContract {
  private DeployEventStore store;

  protected abstract DeployEventStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @Test
  void anEventRecordedTwiceIsStoredOnceAndTheFirstStaysAsItWas() {
    DeployEvent first = Events.pipeline("github", "delivery-1", T0, "api", "a1b2c3d4e5f6", "started");
    DeployEvent again = Events.pipeline("github", "delivery-1", T0 + 5_000, "web", "ffffffffffff", "failed");

    assertThat(store.record(first)).isTrue();
    assertThat(store.record(again)).isFalse();

    assertThat(store.byId(first.id())).contains(first);
    assertThat(store.find(DeployQuery.between(T0 - 60_000, T0 + 60_000))).containsExactly(first);
  }

  @Test
  void everyFieldSurvivesTheRoundTrip() {
    DeployEvent full = DeployEvent.builder("argocd", "shop:abc123:Succeeded").delivery("d-7", T0, true)
        .kind("rollback").phase("succeeded").at(T0 + 1).startedAt(T0 - 30_000).finishedAt(T0 + 1)
        .target(new DeployEvent.Target("https://kubernetes.default.svc", "shop", "deployment", "api", "api",
            "prod"))
        .version("1.4.2").previousVersion("1.4.3").revision("7").previousRevision("8")
        .image(DeployEvent.Image.parse("ghcr.io/acme/api:1.4.2@sha256:0123abcd"))
        .chart("api-0.3.1").commit("abc123").repo("https://github.com/acme/shop").ref("main")
        .compareUrl("https://github.com/acme/shop/compare/a...b").changeCause("kubectl rollout undo")
        .pipelineUrl("https://ci/p").runUrl("https://ci/p/1").logUrl("https://ci/p/1/log").initiator("ada")
        .tag("prod").attribute("cluster-name", "eu-1").build();

    store.record(full);

    assertThat(store.byId(full.id())).contains(full);
  }

  @Test
  void findsByTimeTargetAndVerdictOldestFirst() {
    DeployEvent api1 = Events.rollout("rs-1", T0, "shop", "api", "1", "succeeded", "sha256:aa");
    DeployEvent web = Events.pipeline("jenkins", "web#4", T0 + 1_000, "web", "0011223344556677", "succeeded");
    DeployEvent api2 = Events.rollout("rs-2", T0 + 2_000, "shop", "api", "2", "succeeded", "sha256:bb");
    DeployEvent later = Events.rollout("rs-3", T0 + 3_600_000, "shop", "api", "3", "started", "sha256:cc");
    for (DeployEvent e : List.of(later, api2, web, api1)) {
      store.record(e);
    }
    store.updateDerived(api2.withDerived("d-2", false,
        new Verdict("suspect", List.of("restarts 0 → 6"), "kubectl rollout undo deployment/api --to-revision=1", T0)));

    assertThat(ids(store.find(DeployQuery.between(T0, T0 + 2_000)))).containsExactly(api1.id(), web.id(), api2.id());
    assertThat(ids(store.find(new DeployQuery(T0, T0 + 3_600_000, "api", null, 10))))
        .containsExactly(api1.id(), api2.id(), later.id());
    assertThat(ids(store.find(new DeployQuery(T0, T0 + 3_600_000, "prod/shop/deployment/api", null, 2))))
        .containsExactly(api1.id(), api2.id());
    assertThat(ids(store.find(new DeployQuery(T0, T0 + 3_600_000, "web", null, 10)))).containsExactly(web.id());
    assertThat(ids(store.find(new DeployQuery(T0, T0 + 3_600_000, null, "suspect", 10)))).containsExactly(api2.id());
    assertThat(store.find(new DeployQuery(T0 + 1, T0 + 999, null, null, 10))).isEmpty();
  }

  @Test
  void updatingChangesOnlyWhatWasDerived() {
    DeployEvent rollout = Events.rollout("rs-9", T0, "shop", "api", "9", "succeeded", "sha256:99");
    store.record(rollout);
    Verdict verdict = new Verdict("failed", List.of("failed connections 0 → 40/min"),
        "kubectl rollout undo deployment/api --to-revision=8", T0 + 600_000);
    // A caller holding a different copy of the facts cannot change them through an update.
    DeployEvent tampered = Events.rollout("rs-9", T0 + 5, "other", "web", "10", "failed", "sha256:00");

    assertThat(store.updateDerived(tampered.withDerived("deploy-1", true, verdict))).isTrue();

    DeployEvent stored = store.byId(rollout.id()).orElseThrow();
    assertThat(stored).isEqualTo(rollout.withDerived("deploy-1", true, verdict));
    assertThat(store.updateDerived(Events.rollout("never", T0, "shop", "api", "1", "started", null)
        .withDerived("x", false, null))).isFalse();
  }

  @Test
  void anUnknownIdIsEmpty() {
    assertThat(store.byId("0123456789abcdef0123")).isEmpty();
  }

  private static List<String> ids(List<DeployEvent> events) {
    return events.stream().map(DeployEvent::id).toList();
  }
}
