package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deploy annotations in the packaged jar as a user runs it: a GitHub webhook signed with
 * CHRONOSCOPE_HOOK_SECRET_GITHUB, then {@code java -jar chronoscope.jar annotate} for the same
 * commit; both are on the timeline, stitched into one deploy.
 */
class DeploysIT {
  private static final String TOKEN = "deploys-it-" + Long.toHexString(System.nanoTime());
  private static final String SECRET = "github-secret-" + Long.toHexString(System.nanoTime());
  private static final String SHA = "7638417db6d59f3c431d3e1f261cc637155684cd";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Process app;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path home = Files.createTempDirectory("chronoscope-deploys-it-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
        "--home", home.toString(), "--no-ui").redirectError(Path.of("target", "it-deploys.log").toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    pb.environment().put("CHRONOSCOPE_HOOK_SECRET_GITHUB", SECRET);
    pb.environment().remove("CHRONOSCOPE_HOOK_SECRET_GITLAB");
    app = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line == null || !line.contains("?token="); line = out.readLine()) {
      if (line == null) {
        throw new AssertionError("chronoscope exited before printing the login URL; see target/it-deploys.log");
      }
    }
    base = "http://localhost:" + port;
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.destroy();
      if (!app.waitFor(10, TimeUnit.SECONDS)) {
        app.destroyForcibly();
      }
    }
  }

  @Test
  void aWebhookAndTheCliLandOnTheTimelineAsOneDeploy() throws Exception {
    Instant sent = Instant.now();
    byte[] body = ("{\"action\":\"created\",\"deployment\":{\"id\":1283749125,\"sha\":\"" + SHA + "\",\"ref\":\"v1.4.3\","
        + "\"environment\":\"production\",\"created_at\":\"" + Instant.now() + "\","
        + "\"creator\":{\"login\":\"ada\"}},\"repository\":{\"name\":\"checkout\",\"full_name\":\"acme/checkout\"}}")
        .getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    HttpResponse<String> hook = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/hooks/github"))
        .header("Content-Type", "application/json").header("X-GitHub-Event", "deployment")
        .header("X-GitHub-Delivery", "it-delivery-1")
        .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(hook.statusCode()).as(hook.body()).isEqualTo(200);

    Process cli = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "annotate", "--server", base, "--token", TOKEN,
        "--service", "checkout", "--version", "1.4.3", "--commit", SHA.substring(0, 7), "--phase", "succeeded")
        .redirectErrorStream(true).start();
    String printed = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).as(printed).isZero();
    assertThat(printed).startsWith("recorded ");

    JsonNode deploys = api("/api/v1/deploys?target=checkout");
    assertThat(deploys.get("count").asInt()).isEqualTo(2);
    List<String> groups = deploys.get("deploys").findValuesAsText("deployId");
    assertThat(groups).hasSize(2).containsOnly(groups.get(0));
    // From before the webhook: posted in this server's first second, the deploy may precede the
    // first stored tick, where the default range (the retained history) begins.
    JsonNode timeline = api("/api/v1/timeline?from=" + sent.minusSeconds(60));
    assertThat(timeline.get("events").findValuesAsText("title"))
        .contains("checkout v1.4.3 started (github)", "checkout 1.4.3 succeeded (cli)");
  }

  @Test
  void aSourceWithoutASecretIsRefusedAndTheApiNeedsTheToken() throws Exception {
    HttpResponse<String> gitlab = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/hooks/gitlab"))
        .header("X-Gitlab-Token", "guess").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/deploys")).GET()
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(gitlab.statusCode()).isEqualTo(401);
    assertThat(gitlab.body()).contains("CHRONOSCOPE_HOOK_SECRET_GITLAB");
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

}
