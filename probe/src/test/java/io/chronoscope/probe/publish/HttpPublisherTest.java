package io.chronoscope.probe.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP publisher against a real HTTP server on loopback that plays the collector. */
class HttpPublisherTest {
  private static final String TOKEN = "test-ingest-token-0123456789";
  private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** What the fake collector saw: one entry per request, in arrival order. */
  record Received(Report report, int answered, String authorization, String encoding, String type) {}

  private final BlockingQueue<Received> accepted = new LinkedBlockingQueue<>();
  private final List<Received> all = new CopyOnWriteArrayList<>();
  private volatile ToIntFunction<Report> answer = r -> 202;

  private URI collector(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(HttpPublisher.PATH, this::handle);
    server.start();
    open.add(() -> server.stop(0));
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    byte[] raw = exchange.getRequestBody().readAllBytes();
    byte[] body = "gzip".equals(encoding) ? new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes()
        : "zstd".equals(encoding) ? ReportWire.unzstd(raw, 8 << 20) : raw;
    // Decoded by the format the request names, so a mislabelled body fails here.
    ReportWire wire = ReportWire.SMILE.contentType().equals(type) ? ReportWire.SMILE : ReportWire.JSON;
    Report report = wire.mapper().readValue(body, Report.class);
    int status = answer.applyAsInt(report);
    Received r = new Received(report, status,
        exchange.getRequestHeaders().getFirst("Authorization"), encoding, type);
    all.add(r);
    if (status / 100 == 2) {
      accepted.add(r);
    }
    byte[] reply = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, reply.length);
    exchange.getResponseBody().write(reply);
    exchange.close();
  }

  private HttpPublisher publisher(URI collector, int capacity) {
    return publisher(collector, capacity, ReportWire.SMILE);
  }

  private HttpPublisher publisher(URI collector, int capacity, ReportWire wire) {
    HttpPublisher p = new HttpPublisher(collector, TOKEN, capacity, FAST, Duration.ofSeconds(10), wire);
    open.add(0, p);
    return p;
  }

  private static Report report(long seq) {
    return new Report("host-a", "probe-1", seq, 1_700_000_000_000L + seq * 1000, 1000, null,
        List.of(), List.of());
  }

  private Received next() throws InterruptedException {
    Received r = accepted.poll(30, TimeUnit.SECONDS);
    assertThat(r).as("a report reached the collector").isNotNull();
    return r;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void sendsARealScanAsZstdSmileWithTheBearerTokenAndFlushesOnClose() throws Exception {
    Report scan = sendOneRealScan(ReportWire.SMILE, "application/x-jackson-smile", "zstd");
    assertThat(HttpPublisher.encode(scan, ReportWire.SMILE).length)
        .as("zstd shrinks the Smile")
        .isLessThan(ReportWire.SMILE.encode(scan).length / 2);
  }

  @Test
  void sendsGzipJsonWhenAskedTo() throws Exception {
    Report scan = sendOneRealScan(ReportWire.JSON, "application/json", "gzip");
    assertThat(HttpPublisher.gzipJson(scan).length)
        .as("gzip shrinks the JSON")
        .isLessThan(Json.mapper().writeValueAsBytes(scan).length / 3);
  }

  /** Publishes a scan of this machine, closes, and checks it arrived whole, labelled as sent. */
  private Report sendOneRealScan(ReportWire wire, String contentType, String encoding) throws Exception {
    Report scan;
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      scan = probe.scan();
    }
    HttpPublisher publisher = publisher(collector(0), 60, wire);
    publisher.publish(scan);
    publisher.close();

    assertThat(publisher.queued()).as("close sent what was queued").isZero();
    Received got = next();
    assertThat(got.type()).isEqualTo(contentType);
    assertThat(got.encoding()).isEqualTo(encoding);
    assertThat(got.authorization()).isEqualTo("Bearer " + TOKEN);
    assertThat(got.report()).isEqualTo(scan);
    assertThat(got.report().processes()).isNotEmpty();
    assertThat(publisher.sent()).isEqualTo(1);
    return scan;
  }

  @Test
  void retriesWhileTheCollectorAnswers503AndDeliversEverythingInOrderOnceItRecovers() throws Exception {
    answer = r -> 503;
    HttpPublisher publisher = publisher(collector(0), 60);
    publisher.publish(report(1));
    publisher.publish(report(2));
    publisher.publish(report(3));
    await("three failed attempts", () -> publisher.failedAttempts() >= 3);
    assertThat(all).as("only the oldest is tried while failing")
        .allMatch(r -> r.report().seq() == 1 && r.answered() == 503);

    answer = r -> 202;
    assertThat(List.of(next().report().seq(), next().report().seq(), next().report().seq()))
        .containsExactly(1L, 2L, 3L);
    await("all three counted as sent", () -> publisher.sent() == 3);
    assertThat(publisher.dropped()).isZero();
    assertThat(publisher.rejected()).isZero();
  }

  @Test
  void whileTheCollectorIsDownAFullBufferDropsTheOldestAndCountsIt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    HttpPublisher publisher = publisher(URI.create("http://127.0.0.1:" + port), 3);
    for (long seq = 1; seq <= 5; seq++) {
      publisher.publish(report(seq));
    }
    assertThat(publisher.dropped()).isEqualTo(2);
    assertThat(publisher.queued()).isEqualTo(3);
    await("the sender fails to connect", () -> publisher.failedAttempts() >= 1);

    collector(port);
    assertThat(List.of(next().report().seq(), next().report().seq(), next().report().seq()))
        .containsExactly(3L, 4L, 5L);
    await("three sent", () -> publisher.sent() == 3);
    assertThat(all).extracting(r -> r.report().seq()).doesNotContain(1L, 2L);
  }

  @Test
  void a400IsNotRetriedAndTheNextReportStillGoes() throws Exception {
    answer = r -> r.seq() == 1 ? 400 : 202;
    HttpPublisher publisher = publisher(collector(0), 60);
    publisher.publish(report(1));
    publisher.publish(report(2));

    assertThat(next().report().seq()).isEqualTo(2);
    await("the second counted as sent", () -> publisher.sent() == 1);
    assertThat(all).extracting(r -> r.report().seq()).containsExactly(1L, 2L);
    assertThat(publisher.rejected()).isEqualTo(1);
    assertThat(publisher.failedAttempts()).isZero();
  }

  @Test
  void refusesACollectorUrlThatIsNotHttp() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpPublisher.endpoint(URI.create("collector:4040")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("collector:4040");
    assertThat(HttpPublisher.endpoint(URI.create("http://c:4040/"))).hasToString("http://c:4040/api/v1/reports");
  }
}
