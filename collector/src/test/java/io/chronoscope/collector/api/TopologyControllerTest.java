package io.chronoscope.collector.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopologyControllerTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final long T1 = T0 + 60_000;
  private static final long NOW = T0 + 120_000;
  private static ApplicationContext ctx;
  private static EmbeddedServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    Node client = new Node("h;1;1", "process", "client", Map.of("pid", 1, "cmdline", "curl x"));
    Node srv = new Node("h;2;2", "process", "server", Map.of("pid", 2, "cmdline", "nginx"));
    Graph before = Graph.of(java.util.List.of(client, srv), java.util.List.of());
    Graph after = Graph.of(java.util.List.of(client, srv), java.util.List.of(new Edge("h;1;1", "h;2;2", Map.of())));
    store.append(ChangeSet.between(T0, Graph.EMPTY, before));
    store.append(ChangeSet.between(T1, before, after));
    ctx = ApplicationContext.builder()
        .properties(Map.of("micronaut.server.port", -1))
        .singletons(store, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
        .start();
    server = ctx.getBean(EmbeddedServer.class).start();
  }

  @AfterAll
  static void stop() {
    ctx.close();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body());
  }

  @Test
  void answersTheTopologyAtAnInstantInEitherTimeFormat() throws Exception {
    JsonNode now = json(get("/api/v1/topology/processes"));
    assertThat(now.get("view").asText()).isEqualTo("processes");
    assertThat(now.get("nodes")).hasSize(2);
    assertThat(now.get("nodes").get(0).get("attrs").get("pid").asLong()).isEqualTo(1);
    assertThat(now.get("nodes").get(0).get("attrs").get("cmdline").asText()).isEqualTo("curl x");
    assertThat(now.get("edges")).hasSize(1);
    assertThat(now.get("edges").get(0).get("source").asText()).isEqualTo("h;1;1");

    JsonNode past = json(get("/api/v1/topology/processes?at=2026-11-23T02:00:30Z"));
    assertThat(past.get("at").asText()).isEqualTo("2026-11-23T02:00:30Z");
    assertThat(past.get("edges")).isEmpty();
    assertThat(json(get("/api/v1/topology/processes?at=" + (T1 + 1))).get("edges")).hasSize(1);
  }

  @Test
  void diffListsTheEdgeThatAppeared() throws Exception {
    JsonNode diff = json(get("/api/v1/topology/processes/diff?from=" + T0 + "&to=" + T1));
    assertThat(diff.get("added").get("edges")).hasSize(1);
    assertThat(diff.get("added").get("edges").get(0).get("target").asText()).isEqualTo("h;2;2");
    assertThat(diff.get("removed").get("nodes")).isEmpty();
    JsonNode back = json(get("/api/v1/topology/processes/diff?from=" + T1 + "&to=" + T1));
    assertThat(back.get("added").get("edges")).isEmpty();
  }

  @Test
  void unknownViewIs404NamingTheKnownViews() throws Exception {
    HttpResponse<String> r = get("/api/v1/topology/nonsense");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).get("parameter").asText()).isEqualTo("view");
    assertThat(json(r).get("message").asText()).contains("unknown view 'nonsense'").contains("processes-by-name");
    assertThat(get("/api/v1/topology/nonsense/diff?from=" + T0).statusCode()).isEqualTo(404);
  }

  @Test
  void malformedInstantsAre400NamingTheParameter() throws Exception {
    for (String[] c : new String[][] {
        {"/api/v1/topology/processes?at=yesterday", "at"},
        {"/api/v1/topology/processes?at=2026-13-45T99:00:00Z", "at"},
        {"/api/v1/topology/processes?at=99999999999999999999999", "at"},
        {"/api/v1/topology/processes/diff?from=nope&to=" + T1, "from"},
        {"/api/v1/topology/processes/diff?from=" + T0 + "&to=soon", "to"},
        {"/api/v1/topology/processes/diff?to=" + T1, "from"},
        {"/api/v1/topology/processes/diff?from=" + T1 + "&to=" + T0, "from"}}) {
      HttpResponse<String> r = get(c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(json(r).get("parameter").asText()).as(c[0]).isEqualTo(c[1]);
      assertThat(json(r).get("message").asText()).as(c[0]).contains(c[1]);
    }
  }

  @Test
  void instantsOutsideRetentionAre404StatingTheRange() throws Exception {
    HttpResponse<String> before = get("/api/v1/topology/processes?at=" + (T0 - 1000));
    assertThat(before.statusCode()).isEqualTo(404);
    assertThat(json(before).get("message").asText()).contains("outside the retained range")
        .contains("2026-11-23T02:00:00Z");
    assertThat(json(before).get("retained").get("from").asText()).isEqualTo("2026-11-23T02:00:00Z");

    HttpResponse<String> future = get("/api/v1/topology/processes?at=2030-01-01T00:00:00Z");
    assertThat(future.statusCode()).isEqualTo(404);
    assertThat(json(future).get("parameter").asText()).isEqualTo("at");

    assertThat(get("/api/v1/topology/processes/diff?from=" + (T0 - 5000) + "&to=" + T1).statusCode()).isEqualTo(404);
  }
}
