package io.chronoscope.deploys.verdict;

import static io.chronoscope.deploys.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;
import io.chronoscope.deploys.DeployEvent.Verdict;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import io.chronoscope.deploys.verdict.DeployMetric.Direction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Verdicts over a real recorded series (see {@link RecordedHistory}), with regressions played on top. */
class VerdictJudgeTest {
  static final VerdictJudge.Settings SETTINGS = new VerdictJudge.Settings(Duration.ofSeconds(40),
      Duration.ofSeconds(10), Duration.ofSeconds(1), 3, 4.0, 10.0);
  static final List<DeployMetric> WATCHED = List.of(
      new DeployMetric("context_switches_per_second", Direction.BOTH, 50, "/s"),
      new DeployMetric("interrupts_per_second", Direction.BOTH, 50, "/s"),
      new DeployMetric("memory_used_mib", Direction.UP, 64, "MiB"),
      new DeployMetric("tcp_sockets", Direction.BOTH, 2, ""));
  static final long START = T0;
  static final long END = T0 + 30_000;

  private final MemoryDeployEventStore store = new MemoryDeployEventStore();
  private final DeployRecorder recorder = new DeployRecorder(store);

  private static DeployEvent rollout(String revision, long start, long end, String phase) {
    return DeployEvent.builder("kubernetes", "rs-api-" + revision).delivery(null, end, true).at(end)
        .startedAt(start).finishedAt(end).phase(phase)
        .target(new Target("prod", "shop", "deployment", "api", null, null)).revision(revision).build();
  }

  private Optional<Verdict> judge(MetricHistory history, DeployEvent e) {
    recorder.record(List.of(rollout("7", START - 86_400_000, START - 86_000_000, "succeeded"), e));
    return new VerdictJudge(history, store, SETTINGS, WATCHED).judge(store.byId(e.id()).orElseThrow(), END + 60_000);
  }

  private static RecordedHistory recorded() {
    return new RecordedHistory(START, END, SETTINGS.window());
  }

  @Test
  void aDeployThatChangesNothingIsHealthy() {
    Verdict v = judge(recorded(), rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).as("%s", v.reasons()).isEqualTo("healthy");
    assertThat(v.rollback()).isNull();
  }

  @Test
  void aSmallShiftWithinTheSpreadIsHealthy() {
    Verdict v = judge(recorded().afterDeploy("context_switches_per_second", x -> x * 1.03),
        rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).as("%s", v.reasons()).isEqualTo("healthy");
  }

  @Test
  void tenTimesTheContextSwitchesIsFailedWithTheRollbackToTheLastGoodRevision() {
    Verdict v = judge(recorded().afterDeploy("context_switches_per_second", x -> x * 10),
        rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).isEqualTo("failed");
    assertThat(v.reasons()).singleElement().asString().startsWith("context_switches_per_second")
        .contains("spreads up");
    assertThat(v.rollback()).isEqualTo("kubectl rollout undo deployment/api -n shop --to-revision=7");
  }

  @Test
  void onThisNoisyHostEvenATreblingStaysWithinTheSpread() {
    // The recording's baseline spans a build starting and ending: context switches vary 350–95,000/s.
    Verdict v = judge(recorded().afterDeploy("context_switches_per_second", x -> x * 3),
        rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).as("%s", v.reasons()).isEqualTo("healthy");
  }

  @Test
  void aHundredLeakedSocketsIsAtLeastSuspect() {
    Verdict v = judge(recorded().afterDeploy("tcp_sockets", x -> x + 100), rollout("8", START, END, "succeeded"))
        .orElseThrow();

    assertThat(v.status()).isIn("suspect", "failed");
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).startsWith("tcp_sockets"));
  }

  @Test
  void memoryGoingDownIsNotBad() {
    Verdict v = judge(recorded().afterDeploy("memory_used_mib", x -> x - 2_000),
        rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).as("%s", v.reasons()).isEqualTo("healthy");
  }

  @Test
  void newPodsWorseThanOldPodsSideBySideAreSuspect() {
    RecordedHistory history = recorded()
        .pod("api-old-1", "7", "context_switches_per_second", 300, x -> x)
        .pod("api-old-2", "7", "context_switches_per_second", 400, x -> x)
        .pod("api-new-1", "8", "context_switches_per_second", 500, x -> x * 6);

    Verdict v = judge(history, rollout("8", START, END, "succeeded")).orElseThrow();

    assertThat(v.status()).isIn("suspect", "failed");
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).contains("new pods (revision 8)"));
  }

  @Test
  void aFailedRolloutIsFailedEvenWithoutMetrics() {
    Verdict v = judge(MetricHistory.NONE, rollout("8", START, END, "failed")).orElseThrow();

    assertThat(v.status()).isEqualTo("failed");
    assertThat(v.reasons()).containsExactly("the deploy failed");
    assertThat(v.rollback()).isEqualTo("kubectl rollout undo deployment/api -n shop --to-revision=7");
  }

  @Test
  void withoutMetricsASucceededDeployIsNotJudged() {
    assertThat(judge(MetricHistory.NONE, rollout("8", START, END, "succeeded"))).isEmpty();
  }

  @Test
  void aPipelineEventRollsBackThroughTheRolloutItWasStitchedTo() {
    DeployEvent ci = DeployEvent.builder("github", "d-9").delivery("d-9", END, true).at(END).finishedAt(END)
        .phase("succeeded").target(Target.service("api", "production")).commit("abcdef1234567")
        .image(new DeployEvent.Image("ghcr.io/acme/api", "8", "sha256:88")).build();
    DeployEvent k8s = DeployEvent.builder("kubernetes", "rs-api-8").delivery(null, END, true).at(END - 1)
        .phase("succeeded").target(new Target("prod", "shop", "deployment", "api", null, null)).revision("8")
        .image(new DeployEvent.Image("ghcr.io/acme/api", "8", "sha256:88")).build();
    recorder.record(List.of(rollout("7", START - 86_400_000, START - 86_000_000, "succeeded"), k8s, ci));

    Verdict v = new VerdictJudge(recorded().afterDeploy("context_switches_per_second", x -> x * 10), store,
        SETTINGS, WATCHED).judge(store.byId(ci.id()).orElseThrow(), END + 60_000).orElseThrow();

    assertThat(v.rollback()).isEqualTo("kubectl rollout undo deployment/api -n shop --to-revision=7");
  }

  @Test
  void argoCdAndHelmRollbacksNameTheirHistory() {
    DeployEvent good = DeployEvent.builder("argocd", "pay:aaa:Succeeded").delivery(null, START - 5_000_000, true)
        .at(START - 5_000_000).phase("succeeded").target(new Target(null, "shop", null, null, "payments", null))
        .revision("aaa1111").attribute("historyId", "13").build();
    DeployEvent bad = DeployEvent.builder("argocd", "pay:bbb:Failed").delivery(null, END, true).at(END)
        .phase("failed").target(new Target(null, "shop", null, null, "payments", null)).revision("bbb2222")
        .attribute("historyId", "14").build();
    DeployEvent helmGood = DeployEvent.builder("helm", "sh.helm.release.v1.web.v3").delivery(null, START - 9_000_000, true)
        .at(START - 9_000_000).phase("succeeded").target(new Target(null, "shop", "helmrelease", "web", null, null))
        .revision("3").attribute("release", "web").build();
    DeployEvent helmBad = DeployEvent.builder("helm", "sh.helm.release.v1.web.v4").delivery(null, END, true).at(END)
        .phase("failed").target(new Target(null, "shop", "helmrelease", "web", null, null))
        .revision("4").attribute("release", "web").build();
    recorder.record(List.of(good, bad, helmGood, helmBad));
    VerdictJudge judge = new VerdictJudge(MetricHistory.NONE, store, SETTINGS, WATCHED);

    assertThat(judge.judge(bad, END + 1).orElseThrow().rollback()).isEqualTo("argocd app rollback payments 13");
    assertThat(judge.judge(helmBad, END + 1).orElseThrow().rollback()).isEqualTo("helm rollback web 3 -n shop");
  }

  @Test
  void theJobJudgesOnlyWhatIsDueAndOnlyOnce() {
    DeployEvent e = rollout("8", START, END, "failed");
    recorder.record(List.of(e));
    VerdictJudge judge = new VerdictJudge(MetricHistory.NONE, store, SETTINGS, WATCHED);
    VerdictJob job = new VerdictJob(store, judge);

    assertThat(job.run(judge.dueAt(e) - 1)).isZero();
    assertThat(job.run(judge.dueAt(e))).isEqualTo(1);
    assertThat(job.run(judge.dueAt(e) + 60_000)).isZero();
    assertThat(store.byId(e.id()).orElseThrow().verdict().status()).isEqualTo("failed");
  }
}
