package io.chronoscope.collector.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chronoscope.collector.Collector;
import io.chronoscope.collector.Reports;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Views;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IngestControllerTest {
  private static final long NOW = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static ApplicationContext ctx;
  private static EmbeddedServer server;
  private static MemoryTopologyStore store;
  private static Collector collector;

  @BeforeAll
  static void start() {
    store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    collector = new Collector(store, new SimpleMeterRegistry());
    ctx = ApplicationContext.builder()
        .properties(Map.of("micronaut.server.port", -1, "micronaut.server.max-request-size", "10MB"))
        .singletons(store, collector, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
        .start();
    server = ctx.getBean(EmbeddedServer.class).start();
  }

  @AfterAll
  static void stop() {
    ctx.close();
  }

  private static HttpResponse<String> post(byte[] body, boolean gzip) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.getURL() + "/api/v1/reports"))
        .header("Content-Type", "application/json");
    if (gzip) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(body);
      }
      body = out.toByteArray();
      b.header("Content-Encoding", "gzip");
    }
    return http.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** As probes send reports: Smile, zstd-compressed. */
  private static HttpResponse<String> postZstd(byte[] body, String contentType) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/api/v1/reports"))
        .header("Content-Type", contentType)
        .header("Content-Encoding", "zstd")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body());
  }

  private static final java.util.concurrent.atomic.AtomicLong tickAt = new java.util.concurrent.atomic.AtomicLong(NOW);

  private static synchronized Graph hostsAfterTick() throws Exception {
    long at = tickAt.incrementAndGet();
    collector.tick(at);
    return Views.render("hosts", store.stateAt(at)).orElseThrow();
  }

  @Test
  void acceptsAPlainReportAndTheNextTickShowsItsHost() throws Exception {
    Report report = Reports.host("plain-host").process(10, "nginx").at(NOW);
    HttpResponse<String> r = post(Json.mapper().writeValueAsBytes(report), false);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).get("hostId").asText()).isEqualTo("plain-host");
    assertThat(hostsAfterTick().nodes().values()).anyMatch(n -> n.id().contains("plain-host"));
  }

  @Test
  void acceptsAGzipReport() throws Exception {
    Report report = Reports.host("gzip-host").process(10, "nginx").at(NOW);
    HttpResponse<String> r = post(Json.mapper().writeValueAsBytes(report), true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(hostsAfterTick().nodes().values()).anyMatch(n -> n.id().contains("gzip-host"));
  }

  @Test
  void acceptsAZstdSmileReportAsProbesSendIt() throws Exception {
    Report report = Reports.host("smile-host").process(10, "nginx").at(NOW);
    HttpResponse<String> r = postZstd(ReportWire.zstd(ReportWire.SMILE.encode(report)), ReportWire.SMILE.contentType());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).get("hostId").asText()).isEqualTo("smile-host");
    assertThat(hostsAfterTick().nodes().values()).anyMatch(n -> n.id().contains("smile-host"));

    // zstd JSON too: the format is told by the bytes, not the label.
    Report other = Reports.host("zstd-json-host").process(10, "nginx").at(NOW);
    r = postZstd(ReportWire.zstd(Json.mapper().writeValueAsBytes(other)), "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(hostsAfterTick().nodes().values()).anyMatch(n -> n.id().contains("zstd-json-host"));
  }

  @Test
  void aSmileReportWithAWrongValueIs400NamingItsField() throws Exception {
    ObjectNode report = Json.mapper().valueToTree(Reports.host("h").process(10, "nginx").at(NOW));
    ((ObjectNode) report.get("processes").get(0)).put("pid", "not-a-number");
    HttpResponse<String> r = postZstd(ReportWire.zstd(ReportWire.SMILE.mapper().writeValueAsBytes(report)),
        ReportWire.SMILE.contentType());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("processes[0].pid");
  }

  @Test
  void aBodyThatIsNotZstdIs400AndAZstdBombIs413() throws Exception {
    HttpResponse<String> r = postZstd("{\"hostId\":\"h\"}".getBytes(), ReportWire.SMILE.contentType());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("body");
    assertThat(json(r).get("message").asText()).contains("zstd");

    // 9 MiB of zeros compress to a few hundred bytes: refused from the frame's declared size.
    byte[] bomb = ReportWire.zstd(new byte[9 << 20]);
    assertThat(bomb.length).isLessThan(4096);
    r = postZstd(bomb, ReportWire.SMILE.contentType());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(json(r).get("message").asText()).contains(String.valueOf(IngestController.MAX_BODY_BYTES));

    // The same without a declared size (a streamed frame): refused once the limit is passed.
    java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
    try (com.github.luben.zstd.ZstdOutputStream z = new com.github.luben.zstd.ZstdOutputStream(streamed)) {
      for (int i = 0; i < 9; i++) {
        z.write(new byte[1 << 20]);
        z.flush();
      }
    }
    r = postZstd(streamed.toByteArray(), ReportWire.SMILE.contentType());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
  }

  @Test
  void aWrongValueIs400NamingItsField() throws Exception {
    ObjectNode report = Json.mapper().valueToTree(Reports.host("h").process(10, "nginx").at(NOW));
    ((ObjectNode) report.get("processes").get(0)).put("pid", "not-a-number");
    HttpResponse<String> r = post(Json.mapper().writeValueAsBytes(report), false);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("processes[0].pid");
    assertThat(json(r).get("message").asText()).contains("processes[0].pid");
  }

  @Test
  void brokenJsonIs400NamingWhereItBroke() throws Exception {
    HttpResponse<String> r = post("{\"hostId\":\"h\",\"probeId\":".getBytes(), true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("probeId");
    assertThat(json(r).get("message").asText()).contains("line 1");
  }

  @Test
  void aReportTheCollectorRefusesIs400NamingTheField() throws Exception {
    ObjectNode report = Json.mapper().valueToTree(Reports.host("h").at(NOW));
    report.put("hostId", " ");
    HttpResponse<String> r = post(Json.mapper().writeValueAsBytes(report), false);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("hostId");
    assertThat(json(r).get("message").asText()).contains("hostId must not be blank");

    report.remove("hostId");
    r = post(Json.mapper().writeValueAsBytes(report), false);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("parameter").asText()).isEqualTo("hostId");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    byte[] big = new byte[IngestController.MAX_BODY_BYTES + 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    HttpResponse<String> r = post(big, false);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).get("message").asText()).contains(String.valueOf(IngestController.MAX_BODY_BYTES));

    HttpResponse<String> zipped = post(big, true);
    assertThat(zipped.statusCode()).as("the limit applies after decompression").isEqualTo(413);
  }
}
