package io.chronoscope.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import io.chronoscope.server.loadgen.SimulatedWorld;
import io.chronoscope.server.loadgen.WorldShape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer in headless Chromium against the packaged all-in-one fed by the load generator:
 * login, the expected nodes, search, scrubbing into the past by change sets, compare mode and a
 * shared link. Screenshots land in target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerIT {
  private static final long SEED = 23;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String GRAPH = UiHarness.GRAPH;

  private static UiHarness ui;
  /** Simulated host id → hostname. */
  private static final Map<String, String> hosts = new HashMap<>();
  private static long beforeLoadgen;

  @BeforeAll
  static void start() throws Exception {
    ui = new UiHarness("explorer");
    WorldShape shape = new WorldShape(3, 6, 24, 0, SEED);
    new SimulatedWorld(shape, 0, 1000).reports().forEach(r -> hosts.put(r.hostId(), r.host().hostname()));
    awaitApi("the first tick of this host's probe", () -> api("/api/v1/topology/hosts").get("nodes").size() > 0);
    Thread.sleep(2500);
    beforeLoadgen = System.currentTimeMillis() / 1000 * 1000; // the slider moves in whole seconds
    Thread.sleep(2500);
    ui.loadgen("explorer", "--hosts", "3", "--containers", "6", "--connections", "24", "--churn", "0",
        "--seed", String.valueOf(SEED), "--interval", "1s");
    awaitApi("edges between the simulated hosts' processes", () -> {
      JsonNode view = api("/api/v1/topology/processes");
      for (JsonNode e : view.get("edges")) {
        if (simulated(e.get("source").asText()) && simulated(e.get("target").asText())) {
          return true;
        }
      }
      return false;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (ui != null) {
      ui.close();
    }
  }

  @Test
  @Order(1)
  void theLoginUrlOpensTheExplorer() throws Exception {
    ui.login();
    ui.await("a graph drawn", () -> ui.nodeCount() > 0);

    assertThat(ui.driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
    assertThat(ui.driver.getTitle()).isEqualTo("Chronoscope");
    assertThat(ui.text("mode-label")).isEqualTo("Live");
    ui.screenshot("explorer-login");
  }

  @Test
  @Order(2)
  void theGraphShowsTheSimulatedHostsAndTheirProcesses() throws Exception {
    selectView("Hosts");
    ui.await("the simulated hosts in the hosts view", () -> ui.labels().containsAll(hosts.values()));

    selectView("Processes");
    ui.await("the simulated cluster's processes", () -> ui.labels().containsAll(List.of("nginx", "java", "postgres")));
    ui.await("the histogram has bars", () -> ((Number) ui.js(
        "return document.querySelectorAll('chronoscope-timeline svg rect[data-changes]').length;")).intValue() > 0);
    ui.screenshot("explorer-processes");
  }

  @Test
  @Order(3)
  void searchNarrowsTheGraph() throws Exception {
    int all = ui.nodeCount();
    ui.type("search-box", "comm: postgres");
    ui.await("only postgres processes", () -> {
      List<String> labels = ui.labels();
      return !labels.isEmpty() && labels.stream().allMatch("postgres"::equals);
    });
    assertThat(ui.nodeCount()).isLessThan(all);
    ui.await("the URL holds the search", () -> ui.driver.getCurrentUrl().contains("q=comm"));
    ui.screenshot("explorer-search");

    ui.type("search-box", "");
    ui.await("the whole graph again", () -> ui.nodeCount() >= all);
  }

  @Test
  @Order(4)
  void scrubbingAppliesChangeSetsBackToBeforeTheLoadGenerator() throws Exception {
    assertThat(simulatedNodes()).isPositive();
    ui.js("const g = " + GRAPH + "; g.removeAttribute('data-scrub-ms');");

    // Dragging: input events only; the graph moves by undoing change sets in the browser.
    ui.js("const s = document.getElementById('time-slider'); s.value = String(arguments[0]);"
        + " s.dispatchEvent(new Event('input', {bubbles: true}));", beforeLoadgen);
    ui.await("no simulated process while the cursor is held in the past", () -> simulatedNodes() == 0);
    ui.await("the scrub step was measured", () -> ui.js("return " + GRAPH + ".getAttribute('data-scrub-ms');") != null);
    assertThat(ui.text("time-label")).contains("scrubbing");

    // Letting go: the server draws the exact instant and the URL records it.
    ui.js("document.getElementById('time-slider').dispatchEvent(new Event('change', {bubbles: true}));");
    ui.await("time travel at the instant let go", () -> ui.text("time-label")
        .startsWith(Instant.ofEpochMilli(beforeLoadgen).toString()) && !ui.text("time-label").contains("scrubbing"));
    assertThat(ui.text("mode-label")).isEqualTo("Time travel");
    assertThat(simulatedNodes()).isZero();
    assertThat(ui.nodeCount()).as("this host's own processes are still there").isPositive();
    ui.await("the URL holds the instant", () -> ui.driver.getCurrentUrl().contains("at="));
    ui.screenshot("explorer-scrubbed");
  }

  @Test
  @Order(5)
  void playbackAt60TimesReplaysTheSimulatedHostsArriving() throws Exception {
    assertThat(simulatedNodes()).isZero();
    ui.driver.findElement(By.id("play-60")).click();
    ui.await("the simulated processes arrive as the cursor plays on", () -> simulatedNodes() > 0);
    ui.await("playback ends at the head, where the server draws the exact instant", () ->
        !ui.text("time-label").contains("playing") && Boolean.FALSE.equals(ui.js(
            "return document.querySelector('chronoscope-timeline').playing > 0;")));
    assertThat(ui.text("mode-label")).startsWith("Time travel");
    ui.screenshot("explorer-played");
  }

  @Test
  @Order(6)
  void compareModeMarksTheEdgesAddedSinceInGreen() throws Exception {
    ui.driver.findElement(By.id("live-button")).click();
    ui.await("live again", () -> ui.text("mode-label").equals("Live"));
    ui.driver.findElement(By.id("compare-button")).click();
    ui.await("the second cursor", () -> Boolean.TRUE.equals(ui.js(
        "return getComputedStyle(document.getElementById('compare-slider')).display !== 'none';")));
    ui.js("const s = document.getElementById('compare-slider'); s.value = String(arguments[0]);"
        + " s.dispatchEvent(new Event('change', {bubbles: true}));", beforeLoadgen);

    ui.await("an added nginx → java edge in green", () -> Boolean.TRUE.equals(ui.js(
        "return " + GRAPH + ".cy.edges('.added').some(e => e.source().data('label') === 'nginx'"
            + " && e.target().data('label') === 'java');")));
    assertThat(((Number) ui.js("return " + GRAPH + ".cy.nodes('.added').length;")).intValue()).isPositive();
    ui.await("the list of differences", () -> ui.text("compare-list").contains("added"));
    ui.await("the URL holds both instants", () -> ui.driver.getCurrentUrl().contains("cmp="));
    ui.screenshot("explorer-compare");

    ui.driver.findElement(By.id("compare-button")).click();
    ui.await("compare ended", () -> ((Number) ui.js("return " + GRAPH + ".cy.elements('.added').length;")).intValue() == 0);
  }

  @Test
  @Order(7)
  void aSharedLinkReproducesTheScreen() throws Exception {
    ui.type("search-box", "comm: java");
    ui.await("java processes only", () -> {
      List<String> labels = ui.labels();
      return !labels.isEmpty() && labels.stream().allMatch("java"::equals);
    });
    String javaNode = (String) ui.js("return " + GRAPH + ".cy.nodes()[0].id();");
    ui.js(GRAPH + ".$server.nodeSelected(arguments[0]);", javaNode);
    ui.await("the details panel", () -> ui.text("details-title").equals("java"));
    // A past instant, so the link shows exactly this graph however the live one moves on.
    long at = ((Number) ui.js("const s = document.getElementById('time-slider');"
        + " s.value = String(Number(s.max) - 3000); s.dispatchEvent(new Event('change', {bubbles: true}));"
        + " return Number(s.value);")).longValue();
    ui.await("time travel to the instant let go", () -> ui.text("time-label")
        .startsWith(Instant.ofEpochMilli(at).toString()));
    ui.await("the URL holds view, instant, search and selection", () -> {
      String url = ui.driver.getCurrentUrl();
      return url.contains("at=") && url.contains("q=") && url.contains("node=");
    });
    String link = ui.driver.getCurrentUrl();
    String time = ui.text("time-label");
    List<String> ids = ids();

    ui.driver.get(link);
    ui.await("the same graph from the link", () -> ui.nodeCount() == ids.size() && ids().equals(ids));
    assertThat(ui.text("time-label")).as("the same instant").startsWith(time.substring(0, time.indexOf(' ')));
    assertThat(ui.js("return document.getElementById('search-box').value;")).isEqualTo("comm: java");
    ui.await("the same node selected", () -> ui.text("details-title").equals("java"));
    assertThat(ui.text("mode-label")).isEqualTo("Time travel");
    ui.screenshot("explorer-shared-link");
  }

  @Test
  @Order(8)
  void theMetricsPageChartsASimulatedHost() throws Exception {
    String host = java.net.URLEncoder.encode(hosts.keySet().iterator().next() + ";<host>",
        java.nio.charset.StandardCharsets.UTF_8);
    awaitApi("metrics recorded for the simulated host", () -> {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ui.base + "/api/v1/metrics?node=" + host))
          .header("Authorization", "Bearer " + ui.token).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"points\":[{");
    });
    ui.driver.get(ui.base + "/charts?node=" + host);
    String state = "const c = document.querySelector('chronoscope-metrics'); return c ? c.getAttribute('data-state') : null;";
    try {
      ui.await("the metrics page answered", () -> {
        Object st = ui.js(state);
        return st != null && !"loading".equals(st);
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("metrics page: element defined " + ui.js("return !!customElements.get('chronoscope-metrics');")
          + ", state " + ui.js(state) + ", text " + ui.js("const c = document.querySelector('chronoscope-metrics');"
          + " return c ? c.innerText : document.body.innerText;"), e);
    }
    assertThat(ui.js(state)).as(ui.text("metrics-message")).isEqualTo("drawn");
    assertThat(((Number) ui.js("return document.querySelectorAll('chronoscope-metrics .metric-chart canvas').length;"))
        .intValue()).isPositive();
    assertThat(ui.js("return Array.from(document.querySelectorAll('chronoscope-metrics .metric-chart'))"
        + ".map(c => c.dataset.metric);")).asList().contains("cpu");
    ui.screenshot("metrics-host");

    ui.driver.get(ui.base + "/charts?node=no-such-node");
    ui.await("a clear no-data message", () -> ui.text("metrics-message").startsWith("No data for no-such-node"));
  }

  @Test
  @Order(9)
  void aPostedDeployIsAMarkerOnTheTimelineAndARowOnTheDeploysPage() throws Exception {
    ui.driver.get(ui.base + "/deploys");
    ui.await("the deploys status", () -> !ui.text("deploys-status").isEmpty() && !ui.text("deploys-status").startsWith("Loading"));
    assertThat(ui.text("deploys-status")).startsWith("No deploys in this range");
    ui.screenshot("deploys-empty");

    // What `chronoscope annotate --service checkout --version 2.0.1` posts.
    HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(ui.base + "/api/v1/deploys"))
        .header("Authorization", "Bearer " + ui.token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"service\":\"checkout\",\"version\":\"2.0.1\",\"phase\":\"succeeded\",\"commit\":\"4f2a9c1\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isBetween(200, 201);

    ui.driver.get(ui.base + "/deploys");
    ui.await("the posted deploy listed", () -> ui.text("deploys-status").startsWith("1 deploys"));
    assertThat(ui.text("deploys-grid")).contains("checkout").contains("2.0.1");
    ui.screenshot("deploys-one");

    ui.driver.get(ui.base + "/?range=15m");
    ui.await("a deploy marker on the timeline", () -> ((Number) ui.js(
        "return document.querySelectorAll('chronoscope-timeline .marker').length;")).intValue() >= 1);
    assertThat(String.valueOf(ui.js("return document.querySelector('chronoscope-timeline .marker').title;")))
        .contains("checkout");
    ui.screenshot("timeline-deploy-marker");
  }

  @SuppressWarnings("unchecked")
  private static List<String> ids() {
    return (List<String>) ui.js("return " + GRAPH + ".cy.nodes().map(n => n.id()).sort();");
  }

  /** As a user: open the view list and click the view's title. */
  private static void selectView(String title) {
    ui.driver.findElement(By.id("view-select")).click();
    new WebDriverWait(ui.driver, UiHarness.WAIT).withMessage("the " + title + " item in the open view list")
        .until(d -> d.findElements(By.cssSelector("vaadin-select-item")).stream()
            .filter(e -> e.isDisplayed() && e.getText().trim().equals(title))
            .findFirst().orElse(null))
        .click();
  }

  private static long simulatedNodes() {
    Object n = ui.js("const hosts = arguments[0]; return " + GRAPH
        + ".cy.nodes().filter(n => hosts.some(h => n.id().startsWith(h + ';'))).length;", List.copyOf(hosts.keySet()));
    return ((Number) n).longValue();
  }

  private static boolean simulated(String nodeId) {
    return hosts.keySet().stream().anyMatch(h -> nodeId.startsWith(h + ";"));
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ui.base + path))
        .header("Authorization", "Bearer " + ui.token).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " → " + r.statusCode() + " " + r.body());
    }
    return Json.mapper().readTree(r.body());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitApi(String what, Check check) throws Exception {
    long deadline = System.currentTimeMillis() + UiHarness.WAIT.toMillis();
    Exception last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }
}
