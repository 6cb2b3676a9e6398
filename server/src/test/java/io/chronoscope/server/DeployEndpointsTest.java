package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.model.Json;
import io.chronoscope.server.http.UiEndpoint;
import io.chronoscope.server.security.AccessToken;
import io.chronoscope.server.security.IngestToken;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The deploy endpoints behind the server's AuthFilter, wired as the all-in-one wires them: webhooks
 * need their source's secret and not the API token; everything else needs the API token; the
 * {@code annotate} CLI records through it; the timeline shows the result.
 */
class DeployEndpointsTest {
  private static final String TOKEN = "deploy-test-token-0123456789";
  private static final String GITHUB_SECRET = "gh-secret-for-tests";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ApplicationContext ctx;
  private static DeployWiring deploys;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path home = Files.createTempDirectory("chronoscope-deploys-");
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    // The timeline draws over retained history: some, from two minutes ago.
    store.append(ChangeSet.between(System.currentTimeMillis() - 120_000, Graph.EMPTY,
        Graph.of(List.of(new Node("host;a", "host", "a", Map.of())), List.of())));
    deploys = DeployWiring.of(store, Map.of("CHRONOSCOPE_HOOK_SECRET_GITHUB", GITHUB_SECRET));
    ctx = ApplicationContext.builder().properties(Map.of("micronaut.server.port", -1))
        .singletons(AccessToken.load(TOKEN, home), IngestToken.load(null, home), Clock.systemUTC(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), store, new UiEndpoint(AccessToken.randomToken()),
            deploys.recorder(), deploys.secrets(), deploys.timeline())
        .start();
    EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
    base = "http://localhost:" + server.getPort();
  }

  @AfterAll
  static void stop() {
    ctx.close();
  }

  private static HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String githubSignature(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(GITHUB_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static byte[] deployment(String sha) {
    return ("{\"deployment\":{\"id\":42,\"sha\":\"" + sha + "\",\"ref\":\"v2\",\"environment\":\"production\","
        + "\"created_at\":\"" + java.time.Instant.now() + "\"},\"repository\":{\"name\":\"checkout\","
        + "\"full_name\":\"acme/checkout\"}}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSignedWebhookNeedsNoApiToken() throws Exception {
    byte[] body = deployment("1111111111111111111111111111111111111111");
    HttpResponse<String> r = post("/api/v1/hooks/github", body, Map.of("X-GitHub-Event", "deployment",
        "X-GitHub-Delivery", "auth-test-1", "X-Hub-Signature-256", githubSignature(body)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.mapper().readTree(r.body()).get("recorded")).hasSize(1);
  }

  @Test
  void anUnsignedWebhookIsRefusedByItsReceiver() throws Exception {
    HttpResponse<String> r = post("/api/v1/hooks/github", deployment("2222222"), Map.of(
        "X-GitHub-Event", "deployment", "X-GitHub-Delivery", "auth-test-2"));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("X-Hub-Signature-256");
  }

  @Test
  void aSourceWithoutASecretIsRefusedNamingTheVariable() throws Exception {
    HttpResponse<String> r = post("/api/v1/hooks/gitlab", "{}".getBytes(StandardCharsets.UTF_8),
        Map.of("X-Gitlab-Token", "anything"));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("CHRONOSCOPE_HOOK_SECRET_GITLAB");
  }

  @Test
  void onlyExactHookPathsSkipTheApiToken() throws Exception {
    assertThat(get("/api/v1/hooks/github", null).statusCode()).as("GET is not a delivery").isEqualTo(401);
    assertThat(post("/api/v1/hooks/github/x", new byte[0], Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void listingDeploysAndGrafanaAnnotationsNeedTheApiToken() throws Exception {
    byte[] annotation = "{\"text\":\"deployed\",\"tags\":[\"app:cart\"]}".getBytes(StandardCharsets.UTF_8);

    assertThat(get("/api/v1/deploys", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/deploys", TOKEN).statusCode()).isEqualTo(200);
    assertThat(post("/api/annotations", annotation, Map.of()).statusCode()).isEqualTo(401);
    assertThat(post("/api/annotations", annotation, Map.of("Authorization", "Bearer " + TOKEN)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theAnnotateCommandRecordsOnTheTimeline() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new AnnotateCommand(Map.of("CHRONOSCOPE_TOKEN", TOKEN))).execute(
          "--server", base, "--service", "search", "--version", "3.2.1", "--commit", "abcdef1234567",
          "--url", "https://ci.acme.example/runs/77", "--environment", "production");
    } finally {
      System.setOut(stdout);
    }

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("recorded ");
    List<DeployEvent> found = deploys.recorder().store().find(new DeployQuery(0, Long.MAX_VALUE, "search", null, 10));
    assertThat(found).singleElement().satisfies(e -> {
      assertThat(e.version()).isEqualTo("3.2.1");
      assertThat(e.commit()).isEqualTo("abcdef1234567");
      assertThat(e.links().runUrl()).isEqualTo("https://ci.acme.example/runs/77");
      assertThat(e.source().system()).isEqualTo("cli");
    });
    JsonNode timeline = Json.mapper().readTree(get("/api/v1/timeline?from=" + (found.get(0).at() - 60_000),
        TOKEN).body());
    assertThat(timeline.get("events").findValuesAsText("id")).contains(found.get(0).id());
    assertThat(timeline.get("events").findValuesAsText("title")).contains("search 3.2.1 succeeded (cli)");
  }

  @Test
  void theAnnotateCommandFailsWithAWrongToken() {
    int code = new CommandLine(new AnnotateCommand(Map.of())).execute("--server", base, "--token", "wrong",
        "--service", "search", "--version", "1");

    assertThat(code).isEqualTo(1);
  }
}
