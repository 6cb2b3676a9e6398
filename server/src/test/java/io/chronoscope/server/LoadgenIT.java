package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.server.loadgen.SimulatedWorld;
import io.chronoscope.server.loadgen.WorldShape;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code chronoscope.jar loadgen} against the all-in-one jar: the simulated hosts' reports are
 * accepted, and the topology API shows the simulated hosts, their processes, the edges between
 * them across hosts, and the pods that churn replaces.
 */
class LoadgenIT {
  private static final String TOKEN = "it-api-token-" + Long.toHexString(System.nanoTime());
  private static final String INGEST = "it-ingest-token-" + Long.toHexString(System.nanoTime());
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private static final long DEADLINE_MS = 90_000;
  private static final List<Process> processes = new ArrayList<>();
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path home = Files.createTempDirectory("chronoscope-loadgen-it-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "it-loadgen-chronoscope.log");
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
        "--home", home.toString(), "--no-ui").redirectError(log.toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    pb.environment().put("CHRONOSCOPE_INGEST_TOKEN", INGEST);
    Process app = pb.start();
    processes.add(app);
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("--collector")) {
      // start-up lines until the one telling probes how to connect
    }
    if (line == null) {
      throw new AssertionError("chronoscope exited before it was ready; see " + log);
    }
    base = "http://localhost:" + port;
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

  @Test
  void aSimulatedReportIsAcceptedAsAProbesWouldBe() throws Exception {
    Report report = new SimulatedWorld(new WorldShape(1, 4, 3, 0, 5), System.currentTimeMillis(), 1000)
        .reports().get(0);
    HttpResponse<String> r = send("POST", "/api/v1/reports", INGEST, Json.mapper().writeValueAsString(report));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(body.get("hostId").asText()).isEqualTo(report.hostId());
    assertThat(body.get("seq").asLong()).isEqualTo(1);
  }

  @Test
  void theSimulatedClusterShowsUpInTheTopologyAndChurns() throws Exception {
    long seed = 11;
    WorldShape shape = new WorldShape(3, 6, 24, 10, seed);
    // Host ids come from the seed alone, so this test knows which hosts the generator will report.
    Map<String, String> hostnames = new HashMap<>();
    new SimulatedWorld(shape, 0, 1000).reports()
        .forEach(r -> hostnames.put(r.hostId(), r.host().hostname()));
    Path log = Path.of("target", "it-loadgen-run.log");
    Process loadgen = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "loadgen", "--hosts", "3",
        "--containers", "6", "--connections", "24", "--churn", "10", "--seed", String.valueOf(seed),
        "--interval", "1s", "--collector", base, "--token", INGEST)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(loadgen);

    JsonNode hosts = await("the three simulated hosts in the hosts view", loadgen, () -> {
      JsonNode view = api("/api/v1/topology/hosts");
      Set<String> seen = new HashSet<>();
      view.get("nodes").forEach(n -> seen.add(n.get("attrs").path("host").asText()));
      return seen.containsAll(hostnames.keySet()) ? view : null;
    });
    for (JsonNode n : hosts.get("nodes")) {
      String host = n.get("attrs").path("host").asText();
      if (hostnames.containsKey(host)) {
        assertThat(n.get("label").asText()).isEqualTo(hostnames.get(host));
        // five daemons, and per pod a shim, its main process and perhaps workers
        assertThat(n.get("attrs").get("members").asLong()).isGreaterThanOrEqualTo(5 + 6 * 2);
      }
    }

    JsonNode processView = await("edges between processes of different simulated hosts", loadgen, () -> {
      JsonNode view = api("/api/v1/topology/processes");
      return crossHostEdges(view, hostnames.keySet()).isEmpty() ? null : view;
    });
    Set<String> comms = new HashSet<>();
    for (JsonNode n : processView.get("nodes")) {
      if (hostnames.containsKey(n.get("attrs").path("host").asText())) {
        comms.add(n.get("attrs").get("comm").asText());
      }
    }
    assertThat(comms).contains("nginx", "java", "postgres", "redis-server", "kubelet", "containerd-shim");
    assertThat(crossHostEdges(processView, hostnames.keySet()))
        .as("callers → callees across hosts")
        .allSatisfy(pair -> assertThat(List.of("nginx>java", "java>postgres", "java>redis-server",
            "java>beam.smp", "python3>beam.smp", "python3>postgres")).contains(pair));

    long before = System.currentTimeMillis();
    await("churn adds and removes simulated processes", loadgen, () -> {
      JsonNode diff = api("/api/v1/topology/processes/diff?from=" + before);
      boolean added = containsSimulated(diff.get("added").get("nodes"), hostnames.keySet());
      boolean removed = containsSimulated(diff.get("removed").get("nodes"), hostnames.keySet());
      return added && removed ? diff : null;
    });

    loadgen.destroy();
    assertThat(loadgen.waitFor(60, TimeUnit.SECONDS)).as("loadgen exits on SIGTERM").isTrue();
    // 143 = ended by SIGTERM after the shutdown hook ran
    assertThat(loadgen.exitValue()).isIn(0, 143);
    String output = Files.readString(log);
    assertThat(output).contains("--seed 11").contains("loadgen: done: ").contains(" 0 rejected");
  }

  @Test
  void aBoundedRunExitsZeroWhenEveryReportWasAcceptedAndTakesTheTokenFromTheEnvironment() throws Exception {
    Result r = run(Map.of("CHRONOSCOPE_INGEST_TOKEN", INGEST), "loadgen", "--hosts", "2",
        "--containers", "3", "--connections", "4", "--churn", "50", "--ticks", "3",
        "--interval", "500ms", "--seed", "12", "--collector", base);
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("loadgen: done: 3 ticks, 6 reports published, 6 accepted, 0 dropped, 0 rejected");
  }

  @Test
  void aRefusedTokenMakesTheRunFail() throws Exception {
    Result r = run(Map.of(), "loadgen", "--hosts", "1", "--containers", "2", "--connections", "1",
        "--ticks", "2", "--interval", "200ms", "--collector", base, "--token", "not-the-ingest-token-42");
    assertThat(r.code()).as(r.output()).isEqualTo(1);
    assertThat(r.output()).contains("2 rejected").contains("2 of 2 reports were not accepted");
  }

  @Test
  void badFlagsExitWithTwoAndNameTheFlag() throws Exception {
    Result churn = run(Map.of(), "loadgen", "--churn", "150", "--collector", base, "--token", INGEST);
    assertThat(churn.code()).isEqualTo(2);
    assertThat(churn.output()).contains("'--churn'").contains("150");

    Result nowhere = run(Map.of(), "loadgen", "--hosts", "2");
    assertThat(nowhere.code()).isEqualTo(2);
    assertThat(nowhere.output()).contains("--collector").contains("--kafka");

    Result noToken = run(Map.of(), "loadgen", "--collector", base);
    assertThat(noToken.code()).isEqualTo(2);
    assertThat(noToken.output()).contains("--token").contains("CHRONOSCOPE_INGEST_TOKEN");
  }

  /** Caller and callee comm of each edge whose ends run on two different simulated hosts. */
  private static List<String> crossHostEdges(JsonNode view, Set<String> simulatedHosts) {
    Map<String, JsonNode> nodes = new HashMap<>();
    view.get("nodes").forEach(n -> nodes.put(n.get("id").asText(), n));
    List<String> pairs = new ArrayList<>();
    for (JsonNode e : view.get("edges")) {
      JsonNode source = nodes.get(e.get("source").asText());
      JsonNode target = nodes.get(e.get("target").asText());
      if (source == null || target == null) {
        continue;
      }
      String sourceHost = source.get("attrs").path("host").asText();
      String targetHost = target.get("attrs").path("host").asText();
      if (simulatedHosts.contains(sourceHost) && simulatedHosts.contains(targetHost)
          && !sourceHost.equals(targetHost)) {
        pairs.add(source.get("attrs").get("comm").asText() + ">" + target.get("attrs").get("comm").asText());
      }
    }
    return pairs;
  }

  private static boolean containsSimulated(JsonNode nodes, Set<String> simulatedHosts) {
    for (JsonNode n : nodes) {
      if (simulatedHosts.contains(n.get("attrs").path("host").asText())
          && "process".equals(n.get("kind").asText())) {
        return true;
      }
    }
    return false;
  }

  interface Probe {
    JsonNode check() throws Exception;
  }

  /** Polls until the check answers; fails if the loadgen dies or the deadline passes. */
  private static JsonNode await(String what, Process loadgen, Probe probe) throws Exception {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (true) {
      assertThat(loadgen.isAlive()).as("loadgen keeps running; see target/it-loadgen-run.log").isTrue();
      JsonNode found = probe.check();
      if (found != null) {
        return found;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("never saw " + what + "; see target/it-loadgen-run.log and "
            + "target/it-loadgen-chronoscope.log");
      }
      Thread.sleep(250);
    }
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

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r = send("GET", path, TOKEN, null);
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
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
