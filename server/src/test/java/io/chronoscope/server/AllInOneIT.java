package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole product as a user runs it: {@code java -jar server/target/chronoscope.jar}, probing
 * this host. Two child processes connect over loopback; the API and the browser must show the
 * edge now and not before it opened.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllInOneIT {
  private static final String TOKEN = "it-token-" + Long.toHexString(System.nanoTime());
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String GRAPH = "document.querySelector('chronoscope-graph')";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private static final List<Process> processes = new ArrayList<>();
  private static Path home;
  private static String base;
  private static String loginUrl;
  private static Process listener;
  private static Process dialer;
  private static String listenerNode;
  private static String dialerNode;
  private static long beforeConnection;
  private static long afterConnection;

  @BeforeAll
  static void startChronoscope() throws Exception {
    home = Files.createTempDirectory("chronoscope-it-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "it-chronoscope.log");
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
        "--home", home.toString(), "--keyframe-interval", "5s")
        .redirectError(log.toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    Process app = pb.start();
    processes.add(app);
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    loginUrl = "";
    while (!loginUrl.contains("?token=")) {
      String line = out.readLine();
      if (line == null) {
        throw new AssertionError("chronoscope exited before printing the login URL; see " + log);
      }
      loginUrl = line.trim();
    }
    base = "http://localhost:" + port;
    assertThat(loginUrl).isEqualTo(base + "/?token=" + TOKEN);

    listener = Peers.start("listen");
    processes.add(listener);
    int listenPort = Integer.parseInt(Peers.firstLine(listener));
    awaitApi("the listener appears", () -> nodeWithPid(tryApi("/api/v1/topology/processes"), listener.pid()) != null);
    listenerNode = nodeWithPid(api("/api/v1/topology/processes"), listener.pid());
    Thread.sleep(2000);
    beforeConnection = System.currentTimeMillis();
    Thread.sleep(2000);

    dialer = Peers.start("dial", String.valueOf(listenPort));
    processes.add(dialer);
    Peers.firstLine(dialer);
    awaitApi("the edge dialer → listener appears", () -> hasEdgeFromPid(api("/api/v1/topology/processes"), dialer.pid()));
    dialerNode = nodeWithPid(api("/api/v1/topology/processes"), dialer.pid());
    afterConnection = System.currentTimeMillis();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  @Order(1)
  void theLiveGraphHasTheEdgeAndThePastDoesNot() throws Exception {
    JsonNode now = api("/api/v1/topology/processes?at=" + afterConnection);
    assertThat(edges(now)).contains(dialerNode + " -> " + listenerNode);
    JsonNode dialerJson = node(now, dialerNode);
    assertThat(dialerJson.get("kind").asText()).isEqualTo("process");
    assertThat(dialerJson.get("attrs").get("pid").asLong()).isEqualTo(dialer.pid());
    assertThat(dialerJson.get("attrs").get("cmdline").asText()).contains(Peers.class.getName()).contains("dial");

    JsonNode past = api("/api/v1/topology/processes?at=" + Instant.ofEpochMilli(beforeConnection));
    assertThat(node(past, listenerNode)).as("the listener already ran").isNotNull();
    assertThat(node(past, dialerNode)).as("the dialer did not run yet").isNull();
    assertThat(edges(past)).noneMatch(e -> e.endsWith(" -> " + listenerNode));
  }

  @Test
  @Order(2)
  void theDiffListsTheEdgeAsAdded() throws Exception {
    JsonNode diff = api("/api/v1/topology/processes/diff?from=" + beforeConnection + "&to=" + afterConnection);
    List<String> added = new ArrayList<>();
    diff.get("added").get("edges").forEach(e -> added.add(e.get("source").asText() + " -> " + e.get("target").asText()));
    assertThat(added).contains(dialerNode + " -> " + listenerNode);
    assertThat(ids(diff.get("added").get("nodes"))).contains(dialerNode);
    assertThat(ids(diff.get("removed").get("nodes"))).doesNotContain(listenerNode);
  }

  @Test
  @Order(3)
  void otherViewsRenderTheSameWorld() throws Exception {
    JsonNode hosts = api("/api/v1/topology/hosts");
    assertThat(hosts.get("nodes")).isNotEmpty();
    assertThat(hosts.get("nodes").get(0).get("kind").asText()).isEqualTo("host");
    JsonNode byName = api("/api/v1/topology/processes-by-name");
    assertThat(StreamSupport.stream(byName.get("nodes").spliterator(), false)
        .map(n -> n.get("label").asText())).contains("java");
  }

  @Test
  @Order(4)
  void refusesRequestsWithoutCredentialsButServesHealthAndMetrics() throws Exception {
    assertThat(get("/api/v1/topology/processes", null).statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = get("/api/v1/topology/processes", "not-the-token");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("Bearer");
    assertThat(get("/", null).statusCode()).as("the UI too").isIn(302, 401);
    HttpResponse<String> badLogin = get("/?token=wrong", null);
    assertThat(badLogin.statusCode()).isEqualTo(401);

    HttpResponse<String> health = get("/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(health.body()).get("status").asText()).isEqualTo("up");

    String metrics = get("/metrics", null).body();
    assertThat(metrics).contains("chronoscope_reports_received_total")
        .contains("chronoscope_reports_rejected_total")
        .contains("chronoscope_collector_tick_seconds")
        .contains("chronoscope_graph_nodes")
        .contains("chronoscope_graph_edges")
        .contains("chronoscope_store_elements");
  }

  @Test
  @Order(5)
  void badInputGetsAStatusAndAMessageNamingTheParameter() throws Exception {
    HttpResponse<String> view = get("/api/v1/topology/nope", TOKEN);
    assertThat(view.statusCode()).isEqualTo(404);
    assertThat(view.body()).contains("unknown view 'nope'");
    HttpResponse<String> at = get("/api/v1/topology/processes?at=02:13", TOKEN);
    assertThat(at.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(at.body()).get("parameter").asText()).isEqualTo("at");
    HttpResponse<String> old = get("/api/v1/topology/processes?at=1000", TOKEN);
    assertThat(old.statusCode()).isEqualTo(404);
    assertThat(old.body()).contains("outside the retained range");
    assertThat(get("/api/v1/topology/processes/diff?from=x&to=" + afterConnection, TOKEN).body()).contains("\"from\"");
  }

  @Test
  @Order(6)
  void theBrowserShowsTheGraphAndRewindsIt() throws Exception {
    Path profile = Files.createTempDirectory("chronoscope-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1400,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(loginUrl);
      assertThat(driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
      WebDriverWait wait = new WebDriverWait(driver, WAIT);
      wait.withMessage("the graph shows the dialer → listener edge").until(d -> Boolean.TRUE.equals(js(driver,
          "const g = " + GRAPH + "; return !!(g && g.cy && g.cy.getElementById(arguments[0]).length"
              + " && g.cy.edges().some(e => e.source().id() === arguments[0] && e.target().id() === arguments[1]));",
          dialerNode, listenerNode)));
      screenshot(driver, "all-in-one-live");

      js(driver, "const s = document.getElementById('time-slider'); s.value = String(arguments[0]);"
          + " s.dispatchEvent(new Event('change', {bubbles: true}));", beforeConnection);
      wait.withMessage("the past graph has the listener but neither the dialer nor its edge")
          .until(d -> Boolean.TRUE.equals(js(driver,
              "const cy = " + GRAPH + ".cy; return cy.getElementById(arguments[1]).length === 1"
                  + " && cy.getElementById(arguments[0]).length === 0"
                  + " && !cy.edges().some(e => e.target().id() === arguments[1] && e.source().id() === arguments[0]);",
              dialerNode, listenerNode)));
      assertThat(String.valueOf(js(driver, "return document.getElementById('time-label').textContent;")))
          .doesNotContain("live");
      screenshot(driver, "all-in-one-rewound");
    } finally {
      driver.quit();
    }
  }

  @Test
  @Order(7)
  void probeOncePrintsOneReportWithThisProcessAndTheConnection() throws Exception {
    Process p = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "probe", "--once")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    JsonNode report = Json.mapper().readTree(p.getInputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(StreamSupport.stream(report.get("processes").spliterator(), false)
        .map(n -> n.get("pid").asLong())).contains(ProcessHandle.current().pid(), dialer.pid());
    assertThat(StreamSupport.stream(report.get("connections").spliterator(), false)
        .filter(c -> c.path("pid").asLong() == dialer.pid() && c.get("state").asText().equals("ESTABLISHED"))
        .map(c -> c.get("remoteAddress").asText() + ":" + c.get("remotePort").asInt() + " "
            + c.get("localAddress").asText()))
        .singleElement().asString().startsWith("127.0.0.1:");
  }

  @Test
  @Order(8)
  void badFlagsAreRefusedNamingTheFlag() throws Exception {
    for (String[] c : new String[][] {{"--port", "http"}, {"--retention", "forever"}, {"--port", "70000"},
        {"--storage", "mongodb"}}) {
      Process p = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), c[0], c[1], "--home", home.toString())
          .redirectErrorStream(true).start();
      processes.add(p);
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", c)).isNotZero();
      assertThat(out).as(String.join(" ", c)).contains(c[0]);
    }
  }

  // --- helpers

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r = get(path, TOKEN);
    assertThat(r.statusCode()).as(path + " → " + r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitApi(String what, Check check) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (check.ok()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  /** The answer, or an empty topology while there is no history yet (the first seconds after start). */
  private static JsonNode tryApi(String path) throws Exception {
    HttpResponse<String> r = get(path, TOKEN);
    return Json.mapper().readTree(r.statusCode() == 200 ? r.body() : "{\"nodes\":[],\"edges\":[]}");
  }

  private static String nodeWithPid(JsonNode topology, long pid) {
    for (JsonNode n : topology.get("nodes")) {
      if (n.path("attrs").path("pid").asLong(-1) == pid) {
        return n.get("id").asText();
      }
    }
    return null;
  }

  private static boolean hasEdgeFromPid(JsonNode topology, long pid) {
    String id = nodeWithPid(topology, pid);
    return id != null && edges(topology).stream().anyMatch(e -> e.startsWith(id + " -> "));
  }

  private static JsonNode node(JsonNode topology, String id) {
    for (JsonNode n : topology.get("nodes")) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    return null;
  }

  private static List<String> edges(JsonNode topology) {
    List<String> out = new ArrayList<>();
    topology.get("edges").forEach(e -> out.add(e.get("source").asText() + " -> " + e.get("target").asText()));
    return out;
  }

  private static List<String> ids(JsonNode nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.get("id").asText()));
    return out;
  }

  private static Object js(ChromeDriver driver, String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static void screenshot(ChromeDriver driver, String name) throws Exception {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name + ".png"),
        StandardCopyOption.REPLACE_EXISTING);
  }
}
