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
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.time.Duration;
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
  private static MemoryTopologyStore topology;

  @BeforeAll
  static void start() {
    topology = new MemoryTopologyStore(Duration.ofHours(2), Duration.ofMinutes(10));
    api = new DeployApi(Clock.fixed(NOW, ZoneOffset.UTC), topology);
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

  private static Node pod(String name, String hash) {
    return new Node("pod;" + name, "pod", name, Map.of("namespace", "shop", "podName", name,
        "label.pod-template-hash", hash, "label.app", "api"));
  }

  private static Node container(String id, String pod) {
    return new Node("container;" + id, "container", id, Map.of("pod", "pod;" + pod, "namespace", "shop",
        "image", "ghcr.io/acme/api:1"));
  }

  private static Node process(String id, String container, String pod) {
    return new Node(id, "process", "java", pod == null ? Map.of("container", "container;" + container)
        : Map.of("container", "container;" + container, "pod", "pod;" + pod, "namespace", "shop"));
  }

  private static Edge edge(String from, String to) {
    return new Edge(from, to, Map.of("connections", 1L));
  }

  @Test
  void aDeployThatAddsADependencyShowsItInTheTopologyDiff() {
    long t0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    Node db = process("db-proc", "c-db", null);
    Node cache = process("cache-proc", "c-cache", null);
    Node other = process("web-proc", "c-web", null);
    Graph before = Graph.of(List.of(pod("api-7d4b9c6f5-x2x9z", "7d4b9c6f5"), container("c-old", "api-7d4b9c6f5-x2x9z"),
        process("api-old", "c-old", "api-7d4b9c6f5-x2x9z"), db, other),
        List.of(edge("api-old", "db-proc")));
    Graph after = Graph.of(List.of(pod("api-5f6c7d8e9-abcde", "5f6c7d8e9"), container("c-new", "api-5f6c7d8e9-abcde"),
        process("api-new", "c-new", "api-5f6c7d8e9-abcde"), db, cache, other),
        List.of(edge("api-new", "db-proc"), edge("api-new", "cache-proc"), edge("web-proc", "db-proc")));
    topology.append(ChangeSet.between(t0, Graph.EMPTY, before));
    topology.append(ChangeSet.between(t0 + 300_000, before, after));
    DeployEvent deploy = DeployEvent.builder("kubernetes", "rs-api-2").delivery(null, t0, true)
        .at(t0 + 180_000).startedAt(t0 + 120_000).finishedAt(t0 + 180_000).phase("succeeded")
        .target(new DeployEvent.Target(null, "shop", "deployment", "api", null, null)).revision("2").build();
    api.store.record(deploy);

    Answer diff = api.get("/api/v1/deploys/" + deploy.id() + "/topology-diff?window=3m");

    assertThat(diff.status()).as("%s", diff.json()).isEqualTo(200);
    assertThat(diff.json().get("partial").asBoolean()).isFalse();
    assertThat(diff.json().get("after").asText()).isEqualTo("2026-11-23T10:06:00Z");
    assertThat(diff.json().get("added").get("nodes").findValuesAsText("id"))
        .containsExactlyInAnyOrder("pod;api-5f6c7d8e9-abcde", "container;c-new", "api-new", "cache-proc");
    assertThat(diff.json().get("added").get("edges").findValuesAsText("target"))
        .containsExactlyInAnyOrder("db-proc", "cache-proc");
    assertThat(diff.json().get("removed").get("edges").findValuesAsText("source")).containsExactly("api-old");
    assertThat(diff.json().get("removed").get("nodes").findValuesAsText("id"))
        .containsExactlyInAnyOrder("pod;api-7d4b9c6f5-x2x9z", "container;c-old", "api-old");
    assertThat(diff.json().get("targetNodes").toString()).doesNotContain("web-proc", "db-proc");

    Answer atFinish = api.get("/api/v1/deploys/" + deploy.id() + "/nodes");
    Answer later = api.get("/api/v1/deploys/" + deploy.id() + "/nodes?at=2026-11-23T10:06:00Z");
    assertThat(atFinish.json().get("nodes").findValuesAsText("id"))
        .containsExactlyInAnyOrder("pod;api-7d4b9c6f5-x2x9z", "container;c-old", "api-old");
    assertThat(later.json().get("nodes").findValuesAsText("id"))
        .containsExactlyInAnyOrder("pod;api-5f6c7d8e9-abcde", "container;c-new", "api-new");

    Answer live = api.get("/api/v1/deploys/" + deploy.id() + "/topology-diff");
    assertThat(live.json().get("partial").asBoolean()).as("10 min after is still to come").isTrue();
    assertThat(api.get("/api/v1/deploys/" + deploy.id() + "/topology-diff?window=soon").json().get("parameter")
        .asText()).isEqualTo("window");
  }
}
