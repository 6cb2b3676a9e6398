package io.chronoscope.server.ui;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Figures for docs/benchmarks.md, measured in headless Chromium with the Performance API (the
 * measures chronoscope-graph.js records): how long a ~1,000-node processes graph takes to lay out
 * and paint, and how long one scrub step (change sets applied in the browser, then a paint)
 * takes. Baselines from the same run: the cose layout the UI used before, and redrawing a step by
 * sending the whole graph as before. Prints; asserts nothing about time.
 *
 * <pre>./mvnw -B -o verify -pl ui,server -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=UiBenchmark</pre>
 */
class UiBenchmark {
  private static final String GRAPH = UiHarness.GRAPH;
  private static final int HOSTS = Integer.getInteger("bench.hosts", 20);
  private static final int CONTAINERS = Integer.getInteger("bench.containers", 16);
  private static final int STEPS = 40;

  @Test
  void layoutAndScrub() throws Exception {
    try (UiHarness ui = new UiHarness("bench")) {
      ui.loadgen("bench", "--hosts", String.valueOf(HOSTS), "--containers", String.valueOf(CONTAINERS),
          "--connections", "400", "--churn", "20", "--seed", "5", "--interval", "1s");
      // Let history build up so the tape has changes to apply.
      Thread.sleep(60_000);
      ui.login();
      ui.await("a laid-out graph", () -> ui.js("return " + GRAPH + " && " + GRAPH + ".getAttribute('data-layout-ms');") != null);
      // Freeze the drawing: time travel at the head, so live refreshes do not interfere.
      ui.driver.findElement(org.openqa.selenium.By.id("live-button")).click();
      ui.await("paused", () -> !ui.text("mode-label").equals("Live"));
      int nodes = ui.nodeCount();
      int edges = Integer.parseInt((String) ui.js("return " + GRAPH + ".getAttribute('data-edge-count');"));
      double firstLayout = Double.parseDouble((String) ui.js("return " + GRAPH + ".getAttribute('data-layout-ms');"));

      List<Double> fcose = new ArrayList<>();
      List<Double> dagre = new ArrayList<>();
      List<Double> cose = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fcose.add(layout(ui, "force"));
        dagre.add(layout(ui, "layered"));
      }
      System.out.printf(Locale.ROOT, "%nUI benchmark (headless Chromium, processes view): %d nodes, %d edges%n", nodes, edges);
      System.out.printf(Locale.ROOT, "  first drawing (auto layout), layout + paint: %.0f ms%n", firstLayout);
      System.out.printf(Locale.ROOT, "  fcose layout + paint:            median %.0f ms, max %.0f ms%n", median(fcose), max(fcose));
      System.out.printf(Locale.ROOT, "  dagre (layered) layout + paint:  median %.0f ms, max %.0f ms%n", median(dagre), max(dagre));
      ui.js("const g = " + GRAPH + "; g.setLayout('auto'); g.relayout();");

      // Scrub: step the cursor back over the tape one bucket at a time, then forward again.
      List<Double> scrub = new ArrayList<>();
      long max = ((Number) ui.js("return " + GRAPH + ".tape.to;")).longValue();
      double step = ((Number) ui.js("return " + GRAPH + ".tape.step;")).doubleValue();
      int changes = 0;
      for (int i = 1; i <= STEPS; i++) {
        record(scrub, scrubTo(ui, (long) (max - i * step)));
      }
      for (int i = STEPS - 1; i >= 0; i--) {
        record(scrub, scrubTo(ui, (long) (max - i * step)));
      }
      changes = ((Number) ui.js("const t = " + GRAPH + ".tape; let n = 0; for (const s of t.sets.slice(-" + STEPS
          + ")) { n += s.addedNodes.length + s.removedNodes.length + s.changedNodes.length + s.addedEdges.length"
          + " + s.removedEdges.length + s.changedEdges.length; } return n;")).intValue();

      // Baseline: the previous way, the server sending the whole graph for each instant let go of.
      List<Double> reload = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        reload.add(reloadStep(ui, (long) (max - i * 10 * step)));
      }

      System.out.printf(Locale.ROOT, "  scrub step (tape step %.1f s, %d changes over the last %d steps), apply + paint:"
          + " median %.1f ms, p95 %.1f ms, max %.1f ms over %d steps%n",
          step / 1000, changes, STEPS, median(scrub), percentile(scrub, 0.95), max(scrub), scrub.size());
      System.out.printf(Locale.ROOT, "  baseline: cursor let go, server sends the whole graph, browser diffs + paints:"
          + " median %.0f ms, max %.0f ms over %d steps%n", median(reload), max(reload), reload.size());
      ui.screenshot("benchmark-graph");
      // Last, it is slow: the cose layout the UI used before, on the same graph, once.
      ui.driver.manage().timeouts().scriptTimeout(java.time.Duration.ofMinutes(5));
      cose.add(baselineCose(ui));
      System.out.printf(Locale.ROOT, "  baseline: cose layout + paint (the previous UI's layout): %.0f ms%n", median(cose));
    }
  }

  private static double layout(UiHarness ui, String name) {
    Object ms = ((org.openqa.selenium.JavascriptExecutor) ui.driver).executeAsyncScript(
        "const g = " + GRAPH + "; const n = Number(g.getAttribute('data-layout-count'));"
        + " g.setLayout(arguments[0]); g.relayout(); const done = arguments[arguments.length - 1];"
        + " const wait = () => Number(g.getAttribute('data-layout-count')) > n"
        + " ? done(g.getAttribute('data-layout-ms')) : setTimeout(wait, 20); wait();", name);
    return Double.parseDouble(String.valueOf(ms));
  }

  private static double baselineCose(UiHarness ui) {
    Object timed = ((org.openqa.selenium.JavascriptExecutor) ui.driver).executeAsyncScript(
        "const g = " + GRAPH + "; const done = arguments[arguments.length - 1]; const t0 = performance.now();"
            + " g.cy.layout({name: 'cose', animate: false, randomize: true, nodeRepulsion: () => 12000,"
            + " idealEdgeLength: () => 110, fit: true}).run();"
            + " requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));");
    return ((Number) timed).doubleValue();
  }

  /** One step as the cursor's input handler takes it: chronoscope-graph's scrubTo, then a paint. */
  private static double scrubTo(UiHarness ui, long at) {
    Object ms = ((org.openqa.selenium.JavascriptExecutor) ui.driver).executeAsyncScript(
        "const g = " + GRAPH + "; const done = arguments[arguments.length - 1]; g.removeAttribute('data-scrub-ms');"
            + " const before = g.tape.position; g.scrubTo(arguments[0]);"
            + " if (g.tape.position === before) { done('-1'); return; }"
            + " const wait = () => g.getAttribute('data-scrub-ms') !== null ? done(g.getAttribute('data-scrub-ms'))"
            + " : setTimeout(wait, 2); wait();", at);
    return Double.parseDouble(String.valueOf(ms));
  }

  private static double reloadStep(UiHarness ui, long at) {
    Object ms = ((org.openqa.selenium.JavascriptExecutor) ui.driver).executeAsyncScript(
        "const g = " + GRAPH + "; const done = arguments[arguments.length - 1];"
            + " const label = document.getElementById('time-label'); const before = label.textContent;"
            + " const t0 = performance.now(); const s = document.getElementById('time-slider');"
            + " s.value = String(arguments[0]); s.dispatchEvent(new Event('change', {bubbles: true}));"
            + " const wait = () => label.textContent !== before && !label.textContent.includes('scrubbing')"
            + " ? requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)))"
            + " : setTimeout(wait, 5); wait();", at);
    return ((Number) ms).doubleValue();
  }

  private static void record(List<Double> xs, double ms) {
    if (ms >= 0) {
      xs.add(ms);
    }
  }

  private static double median(List<Double> xs) {
    return percentile(xs, 0.5);
  }

  private static double percentile(List<Double> xs, double p) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
  }

  private static double max(List<Double> xs) {
    return Collections.max(xs);
  }
}
