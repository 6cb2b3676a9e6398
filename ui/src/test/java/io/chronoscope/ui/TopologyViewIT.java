package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.micronaut.context.ApplicationContext;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The packaged UI in headless Chromium: the proxy secret is enforced, the graph is drawn live, and
 * the slider rewinds it. Chromium adds the proxy header itself (DevTools Network.setExtraHTTPHeaders)
 * because no proxy runs here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyViewIT {
  private static final String SECRET = "it-" + UUID.randomUUID();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String GRAPH = "document.querySelector('chronoscope-graph')";

  private static long t0;
  private static long t1;
  private static MemoryTopologyStore store;
  private static TimelineEvent deploy;
  private static ApplicationContext beans;
  private static UiServer ui;
  private static String baseUrl;
  private static HeadlessChromium chromium;
  private static ChromeDriver driver;
  private static Path screenshots;

  @BeforeAll
  static void start() throws Exception {
    long now = System.currentTimeMillis();
    t0 = now - 60_000;
    t1 = now - 30_000;
    store = TestWorld.store(t0, t1);
    deploy = new TimelineEvent("deploy-1", t0 + 10_000, "deploy", "succeeded", "prod/shop/deployment/api",
        "api 1.4.2 → 1.4.3 (github)", "suspect");
    TimelineEvents events = (from, to, limit) -> deploy.at() >= from && deploy.at() <= to ? List.of(deploy) : List.of();
    beans = ApplicationContext.builder().singletons(store).start();
    beans.registerSingleton(TimelineEvents.class, events);
    ui = new UiServer(beans, SECRET);
    baseUrl = "http://127.0.0.1:" + ui.start("127.0.0.1", 0) + "/";

    screenshots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));
    Files.createDirectories(screenshots);
    chromium = new HeadlessChromium("1400,900");
    driver = chromium.driver();
    driver.executeCdpCommand("Network.enable", Map.of());
    driver.executeCdpCommand("Network.setExtraHTTPHeaders",
        Map.of("headers", Map.of(UiServer.PROXY_HEADER, SECRET)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (ui != null) {
      ui.close();
    }
    if (beans != null) {
      beans.close();
    }
  }

  @Test
  @Order(1)
  void runsFromThePackagedJar() {
    String location = UiServer.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertThat(location).as("the IT must exercise the production-mode jar").endsWith(".jar");
  }

  @Test
  @Order(2)
  void refusesRequestsThatDidNotComeThroughTheProxy() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(baseUrl)).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "VAADIN/"))
        .header(UiServer.PROXY_HEADER, SECRET + "x").build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> proxied = http.send(HttpRequest.newBuilder(URI.create(baseUrl))
        .header(UiServer.PROXY_HEADER, SECRET).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(bare.statusCode()).isEqualTo(403);
    assertThat(bare.body()).contains("forbidden");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).as("the production bundle, not a dev server")
        .contains("window.Vaadin").contains("./VAADIN/build/indexhtml-");
  }

  @Test
  @Order(3)
  void showsTheLiveGraphWithLabelsAndTheEdge() throws Exception {
    driver.get(baseUrl);
    awaitCounts(2, 1);

    assertThat(js("return " + GRAPH + ".cy.nodes().map(n => n.data('label')).sort();"))
        .isEqualTo(List.of("client", "server"));
    assertThat(js("return " + GRAPH + ".cy.edges().map(e => e.source().data('label') + '->'"
        + " + e.target().data('label'));"))
        .isEqualTo(List.of("client->server"));
    assertThat(text("time-label")).startsWith(InstantLabel.iso(t1)).contains("live");
    assertThat(driver.getTitle()).isEqualTo("Chronoscope");
    assertThat(button("live-button")).isEqualTo("● Live");
    assertThat(text("graph-counts")).isEqualTo("2 nodes · 1 edge");
    assertThat(js("return document.getElementById('time-slider').type;")).isEqualTo("range");
    await("the slider spans the retained range, thumb at the right end", () -> {
      Object range = js("const s = document.getElementById('time-slider');"
          + " return s.min && s.max ? [Number(s.min), Number(s.max), Number(s.value)] : null;");
      if (!(range instanceof List<?> r)) {
        return false;
      }
      long min = ((Number) r.get(0)).longValue();
      long max = ((Number) r.get(1)).longValue();
      long value = ((Number) r.get(2)).longValue();
      return min <= t0 && t0 - min < 1000 && max >= t1 && max - t1 < 1000 && value == max;
    });
    screenshot("topology-live");
  }

  @Test
  @Order(4)
  void sliderRewindsToBeforeTheConnection() throws Exception {
    Object before = positions();

    // As a user dragging the thumb to the left end; the slider's whole-second min is just before t0.
    js("const s = document.getElementById('time-slider'); s.value = s.min;"
        + " s.dispatchEvent(new Event('change', {bubbles: true}));");
    awaitCounts(2, 0);

    await("the label shows t0", () -> text("time-label").startsWith(InstantLabel.iso(t0)));
    assertThat(text("time-label")).doesNotContain("live").contains("-1m");
    assertThat(button("live-button")).isEqualTo("Go live");
    assertThat(positions()).as("nodes that stay keep their place").isEqualTo(before);
    assertThat(driver.getCurrentUrl()).contains("at=");
    screenshot("topology-rewound");
  }

  @Test
  @Order(5)
  void liveButtonReturnsToTheHead() {
    driver.findElement(By.id("live-button")).click();
    awaitCounts(2, 1);

    await("live again", () -> text("time-label").contains("live"));
    assertThat(button("live-button")).isEqualTo("● Live");
  }

  @Test
  @Order(6)
  void liveModeDrawsNewTicksAndKeepsExistingNodesInPlace() throws Exception {
    Map<String, Object> before = positions();

    store.append(ChangeSet.between(System.currentTimeMillis(), TestWorld.AT_T1, TestWorld.AT_T2));
    awaitCounts(3, 2); // by polling: nothing else tells the page

    assertThat(positions()).as("nodes that stay keep their place").containsAllEntriesOf(before);
    assertThat(text("time-label")).contains("live").doesNotContain("no tick");
    assertThat(text("graph-counts")).isEqualTo("3 nodes · 2 edges");
    assertThat(js("return " + GRAPH + ".cy.getElementById(arguments[0]).data('connections');",
        TestWorld.SERVER.id() + "|" + TestWorld.DB.id())).isEqualTo(2L);
    screenshot("topology-new-tick");
  }

  @Test
  @Order(7)
  void viewSwitcherRendersTheHostsView() {
    driver.findElement(By.id("view-select")).click();
    new WebDriverWait(driver, WAIT).withMessage("the Hosts item in the open view list")
        .until(d -> d.findElements(By.cssSelector("vaadin-select-item")).stream()
            .filter(e -> e.isDisplayed() && e.getText().trim().equals("Hosts"))
            .findFirst().orElse(null))
        .click();
    awaitCounts(1, 0);

    assertThat(js("return " + GRAPH + ".cy.nodes().map(n => n.data('label') + ':' + n.data('kind'));"))
        .isEqualTo(List.of("node-1:host"));
    await("the URL names the view", () -> driver.getCurrentUrl().contains("view=hosts"));
  }

  @Test
  @Order(8)
  void aLinkToAnInstantBeforeRetentionShowsTheOldestOneAndSaysSo() throws Exception {
    driver.get(baseUrl + "?at=" + Instant.ofEpochMilli(t0 - 3_600_000));
    awaitCounts(2, 0);

    await("a notification explains the substitution", () -> String.valueOf(js(
        "return Array.from(document.querySelectorAll('vaadin-notification-card'))"
            + ".map(c => c.textContent).join(' ');")).contains("Cannot show"));
    assertThat(text("time-label")).startsWith(InstantLabel.iso(t0));
    assertThat(button("live-button")).isEqualTo("Go live");
    screenshot("topology-old-link");
  }

  @Test
  @Order(9)
  void aDeployIsAMarkerInItsVerdictsColourAndAJumpTarget() throws Exception {
    await("one deploy marker", () -> ((Number) js(
        "return document.querySelectorAll('chronoscope-timeline .marker').length;")).intValue() == 1);
    assertThat(js("return document.querySelector('chronoscope-timeline .marker').dataset.verdict;")).isEqualTo("suspect");
    assertThat(js("return getComputedStyle(document.querySelector('chronoscope-timeline .marker')).backgroundColor;"))
        .isEqualTo("rgb(221, 107, 32)");
    assertThat(String.valueOf(js("return document.querySelector('chronoscope-timeline .marker').title;")))
        .contains("api 1.4.2 → 1.4.3 (github)").contains("prod/shop/deployment/api").contains("verdict: suspect");

    // The page shows t0 (the previous test's old link): the next deploy lies ahead.
    driver.findElement(By.id("next-deploy")).click();
    await("the cursor on the deploy", () -> text("time-label").startsWith(InstantLabel.iso(deploy.at())));
    assertThat(text("mode-label")).isEqualTo("Time travel");
    screenshot("topology-deploy-marker");
  }

  @Test
  @Order(10)
  void searchingHistoryFindsAProcessThatIsGoneAndTravelsToItsLastInstant() throws Exception {
    // The db process started in test 6; it goes away now.
    long goneAt = System.currentTimeMillis();
    store.append(ChangeSet.between(goneAt, TestWorld.AT_T2, TestWorld.AT_T1));
    driver.get(baseUrl + "?view=hosts");
    awaitCounts(1, 0);

    WebElement search = driver.findElement(By.cssSelector("#search-box input"));
    search.sendKeys("db");
    driver.findElement(By.id("history-search-button")).click();
    await("the lifetimes found", () -> text("history-title").startsWith("1 lifetime matching “db”"));
    new WebDriverWait(driver, WAIT).withMessage("a row for the db process")
        .until(d -> d.findElements(By.cssSelector("#history-results vaadin-grid-cell-content")).stream()
            .filter(e -> e.getText().trim().equals("db")).findFirst().orElse(null))
        .click();

    // Processes is the default view: the URL then names none.
    await("the processes view at the db process's last instant", () -> !driver.getCurrentUrl().contains("view=")
        && text("time-label").startsWith(InstantLabel.iso(goneAt - 1)));
    assertThat(text("mode-label")).isEqualTo("Time travel");
    assertThat(js("return " + GRAPH + ".cy.getElementById(arguments[0]).nonempty();", TestWorld.DB.id()))
        .as("the db process is drawn").isEqualTo(true);
    await("its details are open", () -> text("details-title").contains("db"));
    screenshot("topology-history-search");

    // Words that never matched anything say so, with the range searched.
    search = driver.findElement(By.cssSelector("#search-box input"));
    search.sendKeys(Keys.chord(Keys.CONTROL, "a"), "no-such-thing");
    driver.findElement(By.id("history-search-button")).click();
    await("nothing found, said plainly", () -> text("history-title").startsWith("Nothing matched “no-such-thing”"));
  }

  @Test
  @Order(11)
  void overTheThresholdTheTableOffersTheCoarserView() throws Exception {
    driver.get(baseUrl + "?threshold=1");
    await("the table instead of the graph", () -> text("display-notice").startsWith("2 nodes are more than 1"));
    await("a way to the grouped view", () -> button("group-suggestion").equals("Show processes by name (2 nodes)"));
    screenshot("topology-over-threshold");

    driver.findElement(By.id("group-suggestion")).click();
    await("the processes-by-name view", () -> driver.getCurrentUrl().contains("view=processes-by-name"));
    assertThat(js("return document.getElementById('group-suggestion').hasAttribute('hidden');"))
        .as("no coarser view than by name").isEqualTo(true);
  }

  private static void awaitCounts(int nodes, int edges) {
    await(nodes + " nodes and " + edges + " edges drawn", () -> {
      Object counts = js("const g = " + GRAPH + "; return g && g.cy ? g.getAttribute('data-node-count')"
          + " + '/' + g.getAttribute('data-edge-count') : null;");
      return (nodes + "/" + edges).equals(counts);
    });
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(driver, WAIT).withMessage(what).until(d -> condition.getAsBoolean());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> positions() {
    return (Map<String, Object>) js("const p = {}; " + GRAPH + ".cy.nodes().forEach(n => p[n.id()] ="
        + " Math.round(n.position('x')) + ',' + Math.round(n.position('y'))); return p;");
  }

  private static String text(String id) {
    Object t = js("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id);
    return t == null ? "" : t.toString().trim();
  }

  /** The button's own label: its tooltip also puts text in its DOM, for screen readers. */
  private static String button(String id) {
    Object t = js("return Array.from(document.getElementById(arguments[0]).childNodes)"
        + ".filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('');", id);
    return t == null ? "" : t.toString().trim();
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static void screenshot(String name) throws Exception {
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
