package io.chronoscope.deploys.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.Events;
import io.chronoscope.deploys.api.DeployApi.Answer;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.model.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every webhook source over real HTTP with payloads recorded from each source's documentation:
 * what each one records, and the bad input every one must refuse without touching what is stored.
 */
class HooksApiTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:10:00Z");
  private static DeployApi api;
  /** Stored before every test; no bad request may lose or change it. */
  private static final DeployEvent EARLIER = Events.rollout("rs-earlier", NOW.toEpochMilli() - 3_600_000, "shop",
      "checkout", "3", "succeeded", "sha256:e0");

  /** Each source with a recorded payload, a field it cannot do without, and how it names that field. */
  enum Source {
    GITHUB("github", "github-deployment.json", "deployment.environment", "deployment.environment"),
    GITLAB("gitlab", "gitlab-deployment.json", "environment", "environment"),
    FLUX("flux", "flux-kustomization-succeeded.json", "involvedObject.name", "involvedObject.name"),
    ARGOCD("argocd", "argocd-sync-succeeded.json", "revision", "revision"),
    SPINNAKER("spinnaker", "spinnaker-pipeline-complete.json", "payload.details.application", "payload.details.application"),
    JENKINS("jenkins", "jenkins-finalized.json", "build.phase", "build.phase"),
    GENERIC("generic", "generic-deploy.json", "service", "service");

    final String name;
    final String fixture;
    final String removePath;
    final String parameter;

    Source(String name, String fixture, String removePath, String parameter) {
      this.name = name;
      this.fixture = fixture;
      this.removePath = removePath;
      this.parameter = parameter;
    }
  }

  @BeforeAll
  static void start() {
    api = new DeployApi(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @BeforeEach
  void secrets() {
    api.store.reset();
    api.secrets.clear();
    for (Source s : Source.values()) {
      api.secrets.put(s.name, secretOf(s.name));
    }
    api.store.record(EARLIER);
  }

  private static String secretOf(String source) {
    // Standard Webhooks secrets are whsec_ + base64 of the key.
    return source.equals("generic") ? "whsec_" + Base64.getEncoder().encodeToString(
        "generic-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)) : source + "-s3cret";
  }

  private static Answer deliver(String source, byte[] body, String secret, String delivery) {
    HookSigners.Signed signed = HookSigners.sign(source, body, secret, delivery, NOW.getEpochSecond());
    return api.post("/api/v1/hooks/" + source + signed.query(), body, signed.headers());
  }

  private static Answer deliver(String source, String fixture) {
    return deliver(source, DeployApi.fixture(fixture), secretOf(source), UUID.randomUUID().toString());
  }

  private static DeployEvent stored(Answer answer) {
    assertThat(answer.status()).as("%s", answer.json()).isEqualTo(200);
    assertThat(answer.json().get("recorded")).hasSize(1);
    return api.store.byId(answer.json().get("recorded").get(0).asText()).orElseThrow();
  }

  private static List<DeployEvent> everything() {
    return api.store.find(DeployQuery.between(0, Long.MAX_VALUE));
  }

  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void gitHubDeploymentAndItsStatusAreTwoPhasesOfOneDeploy() {
    DeployEvent started = stored(deliver("github", "github-deployment.json"));
    DeployEvent succeeded = stored(deliver("github", "github-deployment_status.json"));

    assertThat(started.phase()).isEqualTo("started");
    assertThat(started.at()).isEqualTo(at("2026-11-23T09:58:12Z"));
    assertThat(started.target().key()).isEqualTo("shop/deployment/checkout");
    assertThat(started.target().environment()).isEqualTo("production");
    assertThat(started.version()).isEqualTo("1.4.3");
    assertThat(started.commit()).isEqualTo("7638417db6d59f3c431d3e1f261cc637155684cd");
    assertThat(started.repo()).isEqualTo("acme/checkout");
    assertThat(started.initiator()).isEqualTo("ada");
    assertThat(started.source().signatureVerified()).isTrue();
    assertThat(succeeded.phase()).isEqualTo("succeeded");
    assertThat(succeeded.finishedAt()).isEqualTo(at("2026-11-23T10:01:40Z"));
    assertThat(succeeded.links().logUrl()).endsWith("/job/18470958392");
    assertThat(api.store.byId(succeeded.id()).orElseThrow().deployId())
        .isEqualTo(api.store.byId(started.id()).orElseThrow().deployId()).isNotNull();
  }

  @Test
  void gitLabDeploymentHook() {
    DeployEvent e = stored(deliver("gitlab", "gitlab-deployment.json"));

    assertThat(e.phase()).isEqualTo("succeeded");
    assertThat(e.at()).isEqualTo(at("2026-11-23T10:02:33Z"));
    assertThat(e.target()).isEqualTo(DeployEvent.Target.service("cart", "staging"));
    assertThat(e.commit()).isEqualTo("279484c09fbe69ededfced8c1bb6e6d24616b468");
    assertThat(e.initiator()).isEqualTo("root");
    assertThat(e.links().runUrl()).isEqualTo("https://gitlab.acme.example/shop/cart/-/jobs/796");
  }

  @Test
  void fluxKustomizationAndFailedHelmUpgrade() {
    DeployEvent synced = stored(deliver("flux", "flux-kustomization-succeeded.json"));
    DeployEvent failed = stored(deliver("flux", "flux-helmrelease-upgrade-failed.json"));

    assertThat(synced.phase()).isEqualTo("succeeded");
    assertThat(synced.target().key()).isEqualTo("flux-system/kustomization/apps");
    assertThat(synced.commit()).isEqualTo("7638417db6d59f3c431d3e1f261cc637155684cd");
    assertThat(synced.ref()).isEqualTo("main");
    assertThat(failed.phase()).isEqualTo("failed");
    assertThat(failed.target().key()).isEqualTo("shop/helmrelease/payments");
    assertThat(failed.chart()).isEqualTo("2.3.1");
    assertThat(failed.changeCause()).contains("context deadline exceeded");
  }

  @Test
  void fluxWithoutSignatureMayUseABearerHeader() {
    byte[] body = DeployApi.fixture("flux-kustomization-succeeded.json");
    Answer a = api.post("/api/v1/hooks/flux", body, Map.of("Authorization", "Bearer " + secretOf("flux")));

    assertThat(stored(a).source().system()).isEqualTo("flux");
  }

  @Test
  void argoCdSyncFromTheReadmeTemplate() {
    DeployEvent e = stored(deliver("argocd", "argocd-sync-succeeded.json"));

    assertThat(e.phase()).isEqualTo("succeeded");
    assertThat(e.startedAt()).isEqualTo(at("2026-11-23T10:00:02Z"));
    assertThat(e.at()).isEqualTo(at("2026-11-23T10:00:31Z"));
    assertThat(e.target().service()).isEqualTo("payments");
    assertThat(e.target().namespace()).isEqualTo("shop");
    assertThat(e.images()).extracting(DeployEvent.Image::digest).containsExactly(
        "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", null);
    assertThat(e.attributes()).containsEntry("historyId", "14");
  }

  @Test
  void spinnakerPipelineComplete() {
    DeployEvent e = stored(deliver("spinnaker", "spinnaker-pipeline-complete.json"));

    assertThat(e.phase()).isEqualTo("succeeded");
    assertThat(e.at()).isEqualTo(at("2026-11-23T10:03:00Z"));
    assertThat(e.target().service()).isEqualTo("search");
    assertThat(e.initiator()).isEqualTo("grace@acme.example");
    assertThat(e.images()).extracting(DeployEvent.Image::tag).containsExactly("3.2.0");
    assertThat(e.attributes()).containsEntry("pipeline", "Deploy to prod");
  }

  @Test
  void jenkinsNotificationWithTheTokenInTheUrl() {
    DeployEvent e = stored(deliver("jenkins", "jenkins-finalized.json"));

    assertThat(e.phase()).isEqualTo("succeeded");
    assertThat(e.target()).isEqualTo(new DeployEvent.Target(null, "shop", null, null, "inventory", "production"));
    assertThat(e.version()).isEqualTo("2.0.7");
    assertThat(e.commit()).isEqualTo("c6d86dc654b12425e706bcf951adfe5a8627a517");
    assertThat(e.links().logUrl()).isEqualTo("https://jenkins.acme.example/job/inventory-deploy/18/console");
  }

  @Test
  void standardWebhooksSignedGenericEvent() {
    DeployEvent e = stored(deliver("generic", "generic-deploy.json"));

    assertThat(e.target().key()).isEqualTo("shop/recommendations");
    assertThat(e.version()).isEqualTo("0.9.1");
    assertThat(e.previousVersion()).isEqualTo("0.9.0");
    assertThat(e.at()).isEqualTo(at("2026-11-23T10:05:00Z"));
    assertThat(e.tags()).containsExactly("canary");
    assertThat(e.attributes()).containsEntry("ticket", "OPS-1234");
  }

  @Test
  void aPingIsAnsweredAndRecordsNothing() {
    byte[] body = "{\"zen\":\"Design for failure.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
    HookSigners.Signed signed = HookSigners.sign("github", body, secretOf("github"), "ping-1", 0);
    Map<String, String> headers = new java.util.HashMap<>(signed.headers());
    headers.put("X-GitHub-Event", "ping");

    Answer a = api.post("/api/v1/hooks/github", body, headers);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("recorded")).isEmpty();
    assertThat(a.json().get("ignored").asText()).contains("ping");
  }

  // ---- bad input: one test per case, each across every source ----

  @ParameterizedTest
  @EnumSource(Source.class)
  void aBadSignatureOrTokenIs401AndStoresNothing(Source s) {
    List<DeployEvent> before = everything();

    Answer a = deliver(s.name, DeployApi.fixture(s.fixture), secretOf(s.name).replace('s', 'x') + "-wrong", "d-1");

    assertThat(a.status()).as("%s", a.json()).isEqualTo(401);
    assertThat(a.json().get("message").asText()).isNotBlank();
    assertThat(everything()).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void noCredentialsAtAllIs401(Source s) {
    List<DeployEvent> before = everything();

    Answer a = api.post("/api/v1/hooks/" + s.name, DeployApi.fixture(s.fixture), Map.of());

    assertThat(a.status()).isEqualTo(401);
    assertThat(everything()).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aSourceWithoutAConfiguredSecretIsRefusedNamingTheVariable(Source s) {
    api.secrets.remove(s.name);
    List<DeployEvent> before = everything();

    Answer a = deliver(s.name, DeployApi.fixture(s.fixture), secretOf(s.name), "d-2");

    assertThat(a.status()).isEqualTo(401);
    assertThat(a.json().get("message").asText()).contains("CHRONOSCOPE_HOOK_SECRET_" + s.name.toUpperCase());
    assertThat(everything()).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aDuplicateDeliveryIs200AndNoSecondEvent(Source s) {
    byte[] body = DeployApi.fixture(s.fixture);
    Answer first = deliver(s.name, body, secretOf(s.name), "delivery-" + s.name);
    List<DeployEvent> afterFirst = everything();

    Answer again = deliver(s.name, body, secretOf(s.name), "delivery-" + s.name);

    assertThat(first.json().get("recorded")).hasSize(1);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("recorded")).isEmpty();
    assertThat(again.json().get("duplicates").get(0)).isEqualTo(first.json().get("recorded").get(0));
    assertThat(everything()).isEqualTo(afterFirst);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aBodyOverOneMebibyteIs413(Source s) {
    byte[] body = new byte[(1 << 20) + 1];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[body.length - 1] = '}';
    List<DeployEvent> before = everything();

    Answer a = deliver(s.name, body, secretOf(s.name), "d-3");

    assertThat(a.status()).isEqualTo(413);
    assertThat(a.json().get("parameter").asText()).isEqualTo("body");
    assertThat(everything()).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void malformedJsonIs400NamingTheBody(Source s) {
    byte[] body = "{\"deployment\": {\"environment\": \"prod\",".getBytes(StandardCharsets.UTF_8);
    List<DeployEvent> before = everything();

    Answer a = deliver(s.name, body, secretOf(s.name), "d-4");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("parameter").asText()).isEqualTo("body");
    assertThat(a.json().get("message").asText()).contains("not valid JSON");
    assertThat(everything()).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aMissingFieldIs400NamingIt(Source s) throws Exception {
    ObjectNode json = (ObjectNode) Json.mapper().readTree(DeployApi.fixture(s.fixture));
    String[] path = s.removePath.split("\\.");
    JsonNode parent = json;
    for (int i = 0; i < path.length - 1; i++) {
      parent = parent.get(path[i]);
    }
    ((ObjectNode) parent).remove(path[path.length - 1]);
    byte[] body = Json.mapper().writeValueAsBytes(json);
    List<DeployEvent> before = everything();

    Answer a = deliver(s.name, body, secretOf(s.name), "d-5");

    assertThat(a.status()).as("%s", a.json()).isEqualTo(400);
    assertThat(a.json().get("parameter").asText()).isEqualTo(s.parameter);
    assertThat(everything()).isEqualTo(before);
  }

  @Test
  void aStaleTimestampIs401SayingSo() {
    byte[] body = DeployApi.fixture("generic-deploy.json");
    HookSigners.Signed signed = HookSigners.sign("generic", body, secretOf("generic"), "d-6",
        NOW.getEpochSecond() - 600);
    List<DeployEvent> before = everything();

    Answer a = api.post("/api/v1/hooks/generic", body, signed.headers());

    assertThat(a.status()).isEqualTo(401);
    assertThat(a.json().get("parameter").asText()).isEqualTo("webhook-timestamp");
    assertThat(a.json().get("message").asText()).contains("600 s").contains("outside the tolerance");
    assertThat(everything()).isEqualTo(before);
  }

  @Test
  void anUnknownSourceIs404NamingTheKnownOnes() {
    Answer a = api.post("/api/v1/hooks/bitbucket", "{}".getBytes(StandardCharsets.UTF_8), Map.of());

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.json().get("parameter").asText()).isEqualTo("source");
    assertThat(a.json().get("message").asText()).contains("github", "generic");
  }
}
