package io.chronoscope.server.ui;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.chronoscope.ui.HeadlessChromium;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The packaged all-in-one (probe of this host, collector, store, API and UI), the load generator
 * feeding it simulated hosts, and one headless Chromium: one of each per test class.
 */
final class UiHarness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final String GRAPH = "document.querySelector('chronoscope-graph')";

  final String token = "it-ui-token-" + Long.toHexString(System.nanoTime());
  final String ingest = "it-ui-ingest-" + Long.toHexString(System.nanoTime());
  final String base;
  final ChromeDriver driver;
  private final List<Process> processes = new ArrayList<>();
  private final Path home;
  private final HeadlessChromium chromium;
  private final Path screenshots;

  UiHarness(String name) throws Exception {
    home = Files.createTempDirectory("chronoscope-ui-it-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "it-" + name + "-chronoscope.log");
    ProcessBuilder pb = new ProcessBuilder(java(), "-jar", jar(), "--port", String.valueOf(port),
        "--home", home.toString(), "--keyframe-interval", "30s").redirectError(log.toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", token);
    pb.environment().put("CHRONOSCOPE_INGEST_TOKEN", ingest);
    Process app = pb.start();
    processes.add(app);
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("?token=")) {
      // start-up lines until the login URL
    }
    if (line == null) {
      throw new AssertionError("chronoscope exited before it was ready; see " + log);
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) {
          // discard
        }
      } catch (Exception ignored) {
        // the process ended
      }
    }, "chronoscope-stdout");
    drain.setDaemon(true);
    drain.start();
    base = "http://localhost:" + port;

    screenshots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));
    Files.createDirectories(screenshots);
    chromium = new HeadlessChromium("1600,1000");
    driver = chromium.driver();
  }

  /** Starts {@code chronoscope.jar loadgen} against the all-in-one. */
  Process loadgen(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar(), "loadgen"));
    command.addAll(List.of(args));
    command.addAll(List.of("--collector", base, "--token", ingest));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "it-" + name + "-loadgen.log").toFile()).start();
    processes.add(p);
    return p;
  }

  /** Logs in as a user would: the printed URL trades the token for a session cookie. */
  void login() {
    driver.get(base + "/?token=" + token);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  void await(String what, BooleanSupplier condition) {
    new WebDriverWait(driver, WAIT).withMessage(what).until(d -> condition.getAsBoolean());
  }

  /** The graph element's node count once the page drew one, else -1. */
  int nodeCount() {
    Object n = js("const g = " + GRAPH + "; return g && g.cy ? g.getAttribute('data-node-count') : null;");
    return n == null ? -1 : Integer.parseInt(n.toString());
  }

  @SuppressWarnings("unchecked")
  List<String> labels() {
    return (List<String>) js("return " + GRAPH + ".cy.nodes().map(n => n.data('label'));");
  }

  String text(String id) {
    Object t = js("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id);
    return t == null ? "" : t.toString().trim();
  }

  /** Sets a Vaadin text field as typing and leaving it would. */
  void type(String id, String value) {
    js("const f = document.getElementById(arguments[0]); f.value = arguments[1];"
        + " f.dispatchEvent(new Event('change', {bubbles: true}));", id, value);
  }

  void screenshot(String name) throws Exception {
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String jar() {
    return System.getProperty("chronoscope.jar", "target/chronoscope.jar");
  }
}
