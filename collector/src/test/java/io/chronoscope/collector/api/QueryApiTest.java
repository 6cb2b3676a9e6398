package io.chronoscope.collector.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.collector.Collector;
import io.chronoscope.collector.MetricsRecorder;
import io.chronoscope.collector.Reports;
import io.chronoscope.model.Json;
import io.chronoscope.model.NodeIds;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node details, the change stream, the timeline and view filters over a history the collector
 * wrote: at T0 an api pod on host a and a db pod on host b; at T1 api connects to db; at T2 a
 * second api process starts.
 */
class QueryApiTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final long T1 = T0 + 1_000;
  private static final long T2 = T0 + 2_000;
  private static final long NOW = T0 + 2_500;
  private static final String API_POD = "api-7d4b9c6f5-x2x9z";
  private static final String API = NodeIds.process("a", 10, 1010);
  private static final String API_2 = NodeIds.process("a", 11, 1011);
  private static final String POSTGRES = NodeIds.process("b", 40, 1040);
  private static final String API_CONTAINER = NodeIds.container("a", "c-api");
  /** What the deploy-annotations module would supply: one deploy between T1 and T2. */
  private static final TimelineEvents DEPLOYS = (from, to, limit) -> T1 + 500 >= from && T1 + 500 <= to
      ? List.of(new TimelineEvent("d-1", T1 + 500, "deploy", "succeeded", "shop/deployment/api",
          "api 1.4.2 → 1.4.3", "healthy"))
      : List.of();
  private static ApplicationContext ctx;
  private static EmbeddedServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    Collector collector = new Collector(store, new SimpleMeterRegistry());
    collector.addTickListener(new MetricsRecorder(collector, store.metrics(), 0, new SimpleMeterRegistry()));
    Reports a = Reports.host("a").address("10.1.0.1")
        .process(5, "sshd").listen(5, "0.0.0.0", 22).connect(5, "10.1.0.1", 22, "192.168.1.7", 50000)
        .inNamespace(501).pod("c-api", "shop", API_POD, "api", "10.64.1.5")
        .containerProcess(10, "java", "c-api");
    Reports b = Reports.host("b").address("10.1.0.2")
        .inNamespace(601).pod("c-db", "shop", "db-0", "db", "10.64.2.9")
        .containerProcess(40, "postgres", "c-db").listen(40, "0.0.0.0", 5432);
    collector.ingest(a.at(T0), T0);
    collector.ingest(b.at(T0), T0);
    collector.tick(T0);
    collector.ingest(a.connect(10, "10.64.1.5", 40000, "10.64.2.9", 5432, 2_000, 50_000).at(T1), T1);
    collector.ingest(b.connect(40, "10.64.2.9", 5432, "10.64.1.5", 40000, 50_000, 2_000).at(T1), T1);
    collector.tick(T1);
    collector.ingest(a.containerProcess(11, "java", "c-api").at(T2), T2);
    collector.ingest(b.at(T2), T2);
    collector.tick(T2);
    ctx = ApplicationContext.builder()
        .properties(Map.of("micronaut.server.port", -1))
        .singletons(store, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), DEPLOYS)
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

  private static JsonNode json(String pathAndQuery) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).as(pathAndQuery + " → " + r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private static String node(String id) {
    return "/api/v1/nodes/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> values = new ArrayList<>();
    array.forEach(n -> values.add(n.get(field).asText()));
    return values;
  }

  private static void assertBadParameter(String pathAndQuery, int status, String parameter, String... message)
      throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).as(pathAndQuery + " → " + r.body()).isEqualTo(status);
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(body.get("parameter").asText()).as(pathAndQuery).isEqualTo(parameter);
    assertThat(body.get("message").asText()).as(pathAndQuery).contains(message);
  }

  @Test
  void aContainerShowsItsParentsItsProcessesAndTheirConnectionsWithBytes() throws Exception {
    JsonNode c = json(node(API_CONTAINER));
    assertThat(c.get("node").get("attrs").get("image").asText()).isEqualTo("api:1.0");
    assertThat(texts(c.get("parents"), "id")).containsExactly(NodeIds.host("a"), NodeIds.pod("uid-" + API_POD));
    assertThat(texts(c.get("children"), "id")).containsExactly(API, API_2);
    assertThat(c.get("childrenTotal").asInt()).isEqualTo(2);
    JsonNode conn = c.get("connections").get(0);
    assertThat(conn.get("direction").asText()).isEqualTo("outbound");
    assertThat(conn.get("process").asText()).isEqualTo(API);
    assertThat(conn.get("peer").get("id").asText()).isEqualTo(POSTGRES);
    assertThat(conn.get("bytesSent").asLong()).isEqualTo(2_000);
    assertThat(conn.get("bytesReceived").asLong()).isEqualTo(50_000);

    JsonNode server = json(node(POSTGRES) + "?at=" + T1);
    assertThat(texts(server.get("parents"), "kind")).containsExactly("host", "pod", "container");
    assertThat(server.get("connections").get(0).get("direction").asText()).isEqualTo("inbound");
    assertThat(server.get("connections").get(0).get("bytesSent").asLong()).isEqualTo(50_000);
  }

  @Test
  void nodeDetailsFollowTheInstantAndTheLimit() throws Exception {
    assertThat(json(node(API_CONTAINER) + "?at=" + T1).get("children")).hasSize(1);
    JsonNode limited = json(node(API_CONTAINER) + "?limit=1");
    assertThat(limited.get("children")).hasSize(1);
    assertThat(limited.get("childrenTotal").asInt()).isEqualTo(2);
    JsonNode host = json(node(NodeIds.host("a")));
    assertThat(texts(host.get("children"), "kind")).containsExactlyInAnyOrder("pod", "process");
  }

  @Test
  void aPseudoNodeWithASlashInItsIdIsFound() throws Exception {
    JsonNode remote = json(node("remote;192.168.1.0/24"));
    assertThat(remote.get("node").get("kind").asText()).isEqualTo("remote");
    assertThat(remote.get("connections").get(0).get("direction").asText()).isEqualTo("outbound");
  }

  @Test
  void nodeRefusesUnknownIdsAndBadParameters() throws Exception {
    assertBadParameter(node("a;99;1099"), 404, "id", "no node 'a;99;1099'");
    assertBadParameter(node(API_2) + "?at=" + T1, 404, "id", "no node");
    assertBadParameter(node(API) + "?at=" + (T0 - 60_000), 404, "at", "outside the retained range");
    assertBadParameter(node(API) + "?at=noon", 400, "at", "RFC 3339");
    assertBadParameter(node(API) + "?limit=0", 400, "limit", "from 1 to 5000");
    assertBadParameter(node(API) + "?limit=lots", 400, "limit", "from 1 to 5000");
  }

  @Test
  void changesPlayForwardsStepByStep() throws Exception {
    JsonNode r = json("/api/v1/changes?from=" + T0 + "&to=" + T2 + "&step=1s");
    assertThat(r.get("direction").asText()).isEqualTo("forward");
    JsonNode changes = r.get("changes");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).get("at").asLong()).isEqualTo(T1);
    assertThat(texts(changes.get(0).get("addedEdges"), "target")).containsExactly(POSTGRES);
    assertThat(changes.get(1).get("at").asLong()).isEqualTo(T2);
    assertThat(texts(changes.get(1).get("addedNodes"), "id")).containsExactly(API_2);
    assertThat(r.get("changeCount").asInt()).isEqualTo(2);
    assertThat(changes.get(0).has("empty")).as("only the changes, no derived properties").isFalse();
  }

  @Test
  void withoutAStepEveryStoredTickIsItsOwnChangeSetBothWays() throws Exception {
    JsonNode r = json("/api/v1/changes?from=" + T0 + "&to=" + T2);
    assertThat(r.get("stepMs").asLong()).isZero();
    assertThat(r.get("changes")).extracting(c -> c.get("at").asLong()).containsExactly(T1, T2);

    JsonNode back = json("/api/v1/changes?from=" + T2 + "&to=" + T0);
    assertThat(back.get("changes")).extracting(c -> c.get("at").asLong()).containsExactly(T1, T0);
    assertThat(texts(back.get("changes").get(0).get("removedNodes"), "id")).containsExactly(API_2);
  }

  @Test
  void aStepLongerThanTheTicksGivesTheNetChangeOfEachStep() throws Exception {
    JsonNode r = json("/api/v1/changes?from=" + T0 + "&to=" + T2 + "&step=5s");
    JsonNode changes = r.get("changes");
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).get("at").asLong()).as("the step's end, cut at to").isEqualTo(T2);
    assertThat(texts(changes.get(0).get("addedEdges"), "target")).containsExactly(POSTGRES);
    assertThat(texts(changes.get(0).get("addedNodes"), "id")).containsExactly(API_2);
  }

  @Test
  void changesPlayBackwardsAsTheReverseOfEachStep() throws Exception {
    JsonNode r = json("/api/v1/changes?from=2026-11-23T02:00:02Z&to=2026-11-23T02:00:00Z&step=PT1S");
    assertThat(r.get("direction").asText()).isEqualTo("backward");
    JsonNode changes = r.get("changes");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).get("at").asLong()).isEqualTo(T1);
    assertThat(texts(changes.get(0).get("removedNodes"), "id")).containsExactly(API_2);
    assertThat(changes.get(1).get("at").asLong()).isEqualTo(T0);
    assertThat(texts(changes.get(1).get("removedEdges"), "source")).containsExactly(API);
    assertThat(changes.get(1).get("addedEdges")).isEmpty();
  }

  @Test
  void changesRefuseBadParametersAndSayTheLimit() throws Exception {
    assertBadParameter("/api/v1/changes?to=" + T2, 400, "from", "from is required");
    assertBadParameter("/api/v1/changes?from=x&to=" + T2, 400, "from", "RFC 3339");
    assertBadParameter("/api/v1/changes?from=" + T0 + "&to=later", 400, "to", "RFC 3339");
    assertBadParameter("/api/v1/changes?from=" + T0 + "&step=often", 400, "step", "not a duration");
    assertBadParameter("/api/v1/changes?from=" + T0 + "&step=0s", 400, "step", "longer than 0");
    assertBadParameter("/api/v1/changes?from=" + T0 + "&to=" + T2 + "&step=1ms", 400, "step",
        "2000 steps", "limit is 600", "at least PT0.004S");
    assertBadParameter("/api/v1/changes?from=" + (T0 - 60_000) + "&to=" + T2 + "&step=1m", 404, "from",
        "outside the retained range");
  }

  @Test
  void timelineCountsChangesPerBucket() throws Exception {
    JsonNode r = json("/api/v1/timeline?from=" + T0 + "&to=" + T2 + "&step=1s");
    JsonNode buckets = r.get("buckets");
    assertThat(buckets).hasSize(2);
    assertThat(buckets.get(0).get("from").asText()).isEqualTo("2026-11-23T02:00:00Z");
    assertThat(buckets.get(0).get("edgesAdded").asInt()).isEqualTo(1);
    assertThat(buckets.get(0).get("changes").asInt()).isEqualTo(1);
    assertThat(buckets.get(1).get("nodesAdded").asInt()).isEqualTo(1);
    assertThat(buckets.get(1).get("to").asText()).isEqualTo("2026-11-23T02:00:02Z");
    // By default: the retained range up to now, in buckets of at least a second.
    JsonNode whole = json("/api/v1/timeline");
    assertThat(whole.get("from").asText()).isEqualTo("2026-11-23T02:00:00Z");
    assertThat(whole.get("stepMs").asLong()).isEqualTo(1_000);
    assertThat(whole.get("buckets")).hasSize(3);
    assertThat(buckets.get(1).get("ticks").asInt()).isEqualTo(1);
  }

  @Test
  void metricsGiveANodesSeriesOverARange() throws Exception {
    JsonNode r = json("/api/v1/metrics?node=" + URLEncoder.encode(API, StandardCharsets.UTF_8)
        + "&from=" + T0 + "&to=" + T2 + "&step=1s");
    assertThat(r.get("stepMs").asLong()).isEqualTo(1_000);
    assertThat(texts(r.get("series"), "name")).contains("cpu", "memory", "connections");
    JsonNode connections = json("/api/v1/metrics?node=" + URLEncoder.encode(API, StandardCharsets.UTF_8)
        + "&name=connections&from=" + T0 + "&to=" + T2 + "&step=1s").get("series");
    assertThat(connections).hasSize(1);
    assertThat(connections.get(0).get("unit").asText()).isEqualTo("count");
    List<String> points = new ArrayList<>();
    connections.get(0).get("points").forEach(p -> points.add(p.get("at").asLong() - T0 + "=" + p.get("value").asDouble()));
    assertThat(points).as("api connects to db at T1").containsExactly("0=0.0", "1000=1.0", "2000=1.0");
  }

  @Test
  void metricsRefuseBadParameters() throws Exception {
    String api = URLEncoder.encode(API, StandardCharsets.UTF_8);
    assertBadParameter("/api/v1/metrics", 400, "node", "node is required");
    assertBadParameter("/api/v1/metrics?node=" + api + "&name=bogus", 400, "name", "no metric 'bogus'", "cpu");
    assertBadParameter("/api/v1/metrics?node=" + api + "&from=" + T2 + "&to=" + T0, 400, "from", "is after to");
    assertBadParameter("/api/v1/metrics?node=" + api + "&from=" + (T0 - 86_400_000) + "&to=" + T2 + "&step=1s",
        400, "step", "limit is 5000");
    assertBadParameter("/api/v1/metrics?node=nobody", 404, "node", "no metrics recorded for node 'nobody'");
  }

  @Test
  void timelineCarriesTheDeployEventsOfItsRange() throws Exception {
    JsonNode events = json("/api/v1/timeline?from=" + T0 + "&to=" + T2 + "&step=1s").get("events");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("id").asText()).isEqualTo("d-1");
    assertThat(events.get(0).get("verdict").asText()).isEqualTo("healthy");
    assertThat(json("/api/v1/timeline?from=" + T0 + "&to=" + T1 + "&step=1s").get("events")).isEmpty();
  }

  @Test
  void timelineRefusesBadParametersAndSaysTheLimit() throws Exception {
    assertBadParameter("/api/v1/timeline?from=" + T2 + "&to=" + T0, 400, "from", "is after to");
    assertBadParameter("/api/v1/timeline?from=" + T0 + "&to=" + T2 + "&step=1ms", 400, "step",
        "2000 buckets", "limit is 500");
    assertBadParameter("/api/v1/timeline?step=-1s", 400, "step", "not a duration");
  }

  @Test
  void viewsFilterByNamespaceSelectorAndHideAndGroupByALabel() throws Exception {
    assertThat(texts(json("/api/v1/topology/pods?namespace=shop").get("nodes"), "label"))
        .containsExactlyInAnyOrder(API_POD, "db-0");
    assertThat(texts(json("/api/v1/topology/pods?selector=app%3Ddb").get("nodes"), "label"))
        .containsExactly("db-0");
    assertThat(texts(json("/api/v1/topology/processes?hide=uncontained").get("nodes"), "label"))
        .containsOnly("java", "postgres");
    JsonNode grouped = json("/api/v1/topology/processes?group=app");
    assertThat(texts(grouped.get("nodes"), "id")).contains("<label>;app=api", "<label>;app=db");
    JsonNode apiToDb = null;
    for (JsonNode e : grouped.get("edges")) {
      if (e.get("source").asText().equals("<label>;app=api") && e.get("target").asText().equals("<label>;app=db")) {
        apiToDb = e;
      }
    }
    assertThat(apiToDb).as("edge app=api → app=db").isNotNull();
    assertThat(apiToDb.get("attrs").get("bytesReceived").asLong()).isEqualTo(50_000);
    JsonNode diff = json("/api/v1/topology/workloads/diff?from=" + T0 + "&to=" + T1 + "&namespace=shop");
    assertThat(texts(diff.get("added").get("edges"), "target")).containsExactly("<workload>;shop/statefulset/db");
  }

  @Test
  void viewFiltersRefuseBadValuesNamingTheParameter() throws Exception {
    assertBadParameter("/api/v1/topology/pods?namespace=Shop_1", 400, "namespace", "not a Kubernetes namespace");
    assertBadParameter("/api/v1/topology/pods?selector=app%3D%2C", 400, "selector", "empty requirement");
    assertBadParameter("/api/v1/topology/pods?hide=system,daemons", 400, "hide", "'daemons' is not one of system, uncontained");
    assertBadParameter("/api/v1/topology/pods?group=a%20b", 400, "group", "not a label key");
    assertBadParameter("/api/v1/topology/pods/diff?from=" + T0 + "&hide=x", 400, "hide", "not one of");
  }
}
