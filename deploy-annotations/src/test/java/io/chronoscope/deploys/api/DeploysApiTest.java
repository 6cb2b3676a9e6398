package io.chronoscope.deploys.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployTimeline;
import io.chronoscope.deploys.Events;
import io.chronoscope.deploys.api.DeployApi.Answer;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.store.TimelineEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Grafana-compatible annotation API, the CLI's endpoint, listing and the timeline markers. */
class DeploysApiTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:10:00Z");
  private static DeployApi api;

  @BeforeAll
  static void start() {
    api = new DeployApi(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @BeforeEach
  void empty() {
    api.store.reset();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<DeployEvent> everything() {
    return api.store.find(DeployQuery.between(0, Long.MAX_VALUE));
  }

  @Test
  void argoCdsGrafanaNotifierPostsAnAnnotation() {
    Answer a = api.post("/api/annotations", DeployApi.fixture("grafana-annotation.json"), Map.of());

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("message").asText()).isEqualTo("Annotation added");
    DeployEvent e = api.store.byId(a.json().get("id").asText()).orElseThrow();
    assertThat(e.target()).isEqualTo(DeployEvent.Target.service("payments", "prod"));
    assertThat(e.at()).isEqualTo(Instant.parse("2026-11-23T10:05:00Z").toEpochMilli());
    assertThat(e.phase()).isEqualTo("succeeded");
    assertThat(e.tags()).containsExactly("argocd");
    assertThat(e.source().system()).isEqualTo("grafana");
  }

  @Test
  void fluxsGrafanaProviderPostsTheGraphiteForm() {
    Answer a = api.post("/api/annotations", DeployApi.fixture("grafana-flux-graphite.json"), Map.of());

    DeployEvent e = api.store.byId(a.json().get("id").asText()).orElseThrow();
    assertThat(e.target().key()).isEqualTo("flux-system/kustomization/apps");
    assertThat(e.at()).isEqualTo(Instant.parse("2026-11-23T10:05:20Z").toEpochMilli());
    assertThat(e.commit()).isEqualTo("7638417db6d59f3c431d3e1f261cc637155684cd");
    assertThat(e.revision()).isEqualTo("main@sha1:7638417db6d59f3c431d3e1f261cc637155684cd");
  }

  @Test
  void graphiteEndpointTakesSpaceSeparatedTags() {
    Answer a = api.post("/api/annotations/graphite",
        utf8("{\"what\":\"deploy failed\",\"tags\":\"checkout prod\",\"when\":1795428000,\"data\":\"rollback next\"}"),
        Map.of());

    DeployEvent e = api.store.byId(a.json().get("id").asText()).orElseThrow();
    assertThat(e.target().service()).isEqualTo("checkout");
    assertThat(e.phase()).isEqualTo("failed");
    assertThat(e.changeCause()).isEqualTo("deploy failed: rollback next");
  }

  @Test
  void anAnnotationPostedTwiceIsOneEvent() {
    byte[] body = DeployApi.fixture("grafana-annotation.json");
    api.post("/api/annotations", body, Map.of());
    Answer again = api.post("/api/annotations", body, Map.of());

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("message").asText()).isEqualTo("Annotation already added");
    assertThat(everything()).hasSize(1);
  }

  @Test
  void anAnnotationWithoutTextIs400NamingIt() {
    Answer a = api.post("/api/annotations", utf8("{\"time\":1795428000000,\"tags\":[\"app:x\"]}"), Map.of());

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("parameter").asText()).isEqualTo("text");
    assertThat(everything()).isEmpty();
  }

  @Test
  void anAnnotationThatNamesNothingIs400NamingTheTags() {
    Answer a = api.post("/api/annotations", utf8("{\"text\":\"something happened\"}"), Map.of());

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("parameter").asText()).isEqualTo("tags");
  }

  @Test
  void anAnnotationOverOneMebibyteIs413() {
    byte[] body = new byte[(1 << 20) + 10];
    Arrays.fill(body, (byte) ' ');

    assertThat(api.post("/api/annotations", body, Map.of()).status()).isEqualTo(413);
  }

  @Test
  void theCliPostsOnceWhateverTheRetries() {
    byte[] body = utf8("{\"service\":\"checkout\",\"version\":\"1.4.4\",\"commit\":\"abcdef1234567\","
        + "\"url\":\"https://ci/run/9\"}");
    Answer first = api.post("/api/v1/deploys", body, Map.of("Idempotency-Key", "cli-1"));
    Answer retry = api.post("/api/v1/deploys", body, Map.of("Idempotency-Key", "cli-1"));

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().get("event").get("version").asText()).isEqualTo("1.4.4");
    assertThat(first.json().get("event").get("at").asLong()).isEqualTo(NOW.toEpochMilli());
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().get("recorded").asBoolean()).isFalse();
    assertThat(everything()).hasSize(1);
  }

  @Test
  void theCliNeedsAService() {
    Answer a = api.post("/api/v1/deploys", utf8("{\"version\":\"1\"}"), Map.of());

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("parameter").asText()).isEqualTo("service");
  }

  @Test
  void listsByTimeTargetAndVerdictAndFindsOneById() {
    long t = NOW.toEpochMilli();
    DeployEvent api1 = Events.rollout("a", t - 7_200_000, "shop", "api", "1", "succeeded", "sha256:1");
    DeployEvent web = Events.rollout("b", t - 3_600_000, "shop", "web", "4", "succeeded", "sha256:2");
    DeployEvent api2 = Events.rollout("c", t - 60_000, "shop", "api", "2", "failed", "sha256:3");
    List.of(api1, web, api2).forEach(api.store::record);
    api.store.updateDerived(api2.withDerived(null, true, new DeployEvent.Verdict("failed",
        List.of("rollout failed"), "kubectl rollout undo deployment/api -n shop --to-revision=1", t)));

    Answer all = api.get("/api/v1/deploys");
    Answer apiOnly = api.get("/api/v1/deploys?target=api&from=" + (t - 7_200_000));
    Answer failed = api.get("/api/v1/deploys?verdict=failed&from=2026-11-23T00:00:00Z&to=2026-11-23T11:00:00Z");
    Answer one = api.get("/api/v1/deploys/" + api2.id());

    assertThat(all.json().get("count").asInt()).isEqualTo(3);
    assertThat(apiOnly.json().get("deploys").findValuesAsText("id")).containsExactly(api1.id(), api2.id());
    assertThat(failed.json().get("deploys").findValuesAsText("id")).containsExactly(api2.id());
    assertThat(one.json().get("verdict").get("rollback").asText()).contains("--to-revision=1");
    assertThat(one.json().get("target").get("workload").asText()).isEqualTo("api");
  }

  @Test
  void badQueriesAre400NamingTheParameter() {
    assertThat(api.get("/api/v1/deploys?verdict=ok").json().get("parameter").asText()).isEqualTo("verdict");
    assertThat(api.get("/api/v1/deploys?from=yesterday").json().get("parameter").asText()).isEqualTo("from");
    assertThat(api.get("/api/v1/deploys?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/deploys?limit=0").json().get("parameter").asText()).isEqualTo("limit");
    Answer missing = api.get("/api/v1/deploys/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("parameter").asText()).isEqualTo("id");
  }

  @Test
  void timelineMarkersCarryKindPhaseTargetTitleAndVerdict() {
    long t = NOW.toEpochMilli();
    DeployEvent e = DeployEvent.builder("github", "d-1").delivery("d-1", t, true).at(t).phase("succeeded")
        .target(DeployEvent.Target.service("checkout", "production")).version("1.4.3").previousVersion("1.4.2")
        .build();
    api.store.record(e);
    api.store.updateDerived(e.withDerived(e.id(), null, new DeployEvent.Verdict("healthy", List.of(), null, t)));

    List<TimelineEvent> markers = new DeployTimeline(api.store).between(t - 1, t + 1, 10);

    assertThat(markers).containsExactly(new TimelineEvent(e.id(), t, "deploy", "succeeded",
        "production/checkout", "checkout 1.4.2 → 1.4.3 succeeded (github)", "healthy"));
    assertThat(new DeployTimeline(api.store).between(t + 1, t + 2, 10)).isEmpty();
  }
}
