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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A second probe on this machine, run as {@code chronoscope.jar probe --collector}, reports as
 * another host to the all-in-one jar; the ingest token it uses opens nothing but the report route.
 */
class ProbePublishIT {
  private static final String TOKEN = "it-api-token-" + Long.toHexString(System.nanoTime());
  private static final String INGEST = "it-ingest-token-" + Long.toHexString(System.nanoTime());
  private static final String HOST_ID = "fake-host-" + Long.toHexString(System.nanoTime());
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private static final List<Process> processes = new ArrayList<>();
  private static final List<String> startOutput = new ArrayList<>();
  private static String base;
  private static Process probe;

  @BeforeAll
  static void start() throws Exception {
    Path home = Files.createTempDirectory("chronoscope-publish-it-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "it-publish-chronoscope.log");
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
        "--home", home.toString()).redirectError(log.toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    pb.environment().put("CHRONOSCOPE_INGEST_TOKEN", INGEST);
    Process app = pb.start();
    processes.add(app);
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    while (startOutput.stream().noneMatch(l -> l.contains("--collector"))) {
      String line = out.readLine();
      if (line == null) {
        throw new AssertionError("chronoscope exited before printing how probes connect; see " + log);
      }
      startOutput.add(line);
    }
    base = "http://localhost:" + port;

    ProcessBuilder probeCmd = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "probe", "--collector", base,
        "--token", INGEST, "--host-id", HOST_ID, "--interval", "1s")
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "it-publish-probe.log").toFile());
    probe = probeCmd.start();
    processes.add(probe);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** The probe sends zstd Smile by default: the packaged collector takes it. */
  @Test
  void theProbeRunningAloneShowsUpAsAnotherHost() throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (!hasHost(HOST_ID)) {
      assertThat(probe.isAlive()).as("the probe keeps running; see target/it-publish-probe.log").isTrue();
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("host " + HOST_ID + " never appeared in the hosts view; see "
            + "target/it-publish-probe.log and target/it-publish-chronoscope.log");
      }
      Thread.sleep(250);
    }
  }

  @Test
  void startUpSaysWhereTheIngestTokenIsButNotItsValue() {
    assertThat(String.join("\n", startOutput)).contains("CHRONOSCOPE_INGEST_TOKEN").doesNotContain(INGEST);
  }

  @Test
  void theIngestTokenOpensOnlyTheReportRoute() throws Exception {
    HttpResponse<String> read = send("GET", "/api/v1/topology/processes", INGEST, null);
    assertThat(read.statusCode()).isEqualTo(403);
    assertThat(Json.mapper().readTree(read.body()).get("message").asText()).contains("this token may only send reports");
    assertThat(send("GET", "/", INGEST, null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);

    HttpResponse<String> bad = send("POST", "/api/v1/reports", INGEST, "{\"hostId\":\" \"}");
    assertThat(bad.statusCode()).as("the ingest token reaches the endpoint, which names the field").isEqualTo(400);
    assertThat(Json.mapper().readTree(bad.body()).get("parameter").asText()).isEqualTo("hostId");
  }

  @Test
  void aWrongTokenCannotSendReportsAndTheApiTokenCan() throws Exception {
    assertThat(send("POST", "/api/v1/reports", "wrong-token-0123456789", "{}").statusCode()).isEqualTo(401);
    assertThat(send("POST", "/api/v1/reports", null, "{}").statusCode()).isEqualTo(401);
    String report = "{\"hostId\":\"api-token-host\",\"probeId\":\"p\",\"seq\":1,\"timestamp\":"
        + System.currentTimeMillis() + ",\"intervalMs\":1000}";
    assertThat(send("POST", "/api/v1/reports", TOKEN, report).statusCode()).isEqualTo(202);
  }

  @Test
  void theProbeCommandNamesTheOptionThatIsMissingOrWrong() throws Exception {
    Result noToken = run(Map.of(), "probe", "--collector", base);
    assertThat(noToken.code()).isEqualTo(2);
    assertThat(noToken.output()).contains("--token").contains("CHRONOSCOPE_INGEST_TOKEN");

    Result badUrl = run(Map.of(), "probe", "--collector", "collector:4040", "--token", INGEST);
    assertThat(badUrl.code()).isEqualTo(2);
    assertThat(badUrl.output()).contains("--collector").contains("collector:4040");

    Result badFormat = run(Map.of(), "probe", "--collector", base, "--token", INGEST, "--report-format", "xml");
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(badFormat.output()).contains("--report-format").contains("'xml'").contains("smile or json");

    Result nowhere = run(Map.of(), "probe");
    assertThat(nowhere.code()).isEqualTo(2);
    assertThat(nowhere.output()).contains("--collector").contains("--kafka");
  }

  @Test
  void sigtermStopsTheProbeCleanly() throws Exception {
    Process p = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "probe", "--collector", base,
        "--token", INGEST, "--host-id", HOST_ID + "-term")
        .redirectErrorStream(true).start();
    processes.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("publishing to")) {
      // skip the JVM's and the probe's start-up lines
    }
    assertThat(line).as("the probe said where it publishes").isNotNull();
    long deadline = System.currentTimeMillis() + 90_000;
    while (!hasHost(HOST_ID + "-term")) {
      assertThat(System.currentTimeMillis()).as("the second probe's host appears").isLessThan(deadline);
      Thread.sleep(250);
    }
    p.destroy();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe exits on SIGTERM").isTrue();
    // 143 = killed by SIGTERM after the shutdown hook ran; the JVM exits with it.
    assertThat(p.exitValue()).isIn(0, 143);
  }

  record Result(int code, String output) {}

  private static Result run(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PackagedJar.java(), "-jar", PackagedJar.jar()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CHRONOSCOPE_INGEST_TOKEN");
    pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }

  private static boolean hasHost(String hostId) throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/topology/hosts", TOKEN, null);
    if (r.statusCode() != 200) {
      return false;
    }
    for (JsonNode n : Json.mapper().readTree(r.body()).get("nodes")) {
      if (n.get("id").asText().contains(hostId)) {
        return true;
      }
    }
    return false;
  }

  private static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

}
