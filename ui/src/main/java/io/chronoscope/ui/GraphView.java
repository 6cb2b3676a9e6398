package io.chronoscope.ui;

import com.vaadin.flow.component.ClientCallable;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.util.function.Consumer;

/**
 * The topology drawing: a {@code <chronoscope-graph>} element owning a Cytoscape.js instance.
 * Each {@link #setGraph} sends the whole graph; the browser applies only the difference, so nodes
 * that stay keep their positions. A tape of change sets lets the browser scrub on its own.
 */
@Tag("chronoscope-graph")
@NpmPackage(value = "cytoscape", version = "3.34.4")
@NpmPackage(value = "cytoscape-dagre", version = "4.0.1")
@NpmPackage(value = "cytoscape-fcose", version = "2.2.0")
@JsModule("./chronoscope-graph.js")
public class GraphView extends Component implements HasSize {
  private Graph shown;
  private Consumer<String> selectionListener = id -> {};

  public GraphView() {
    setWidthFull();
  }

  /** Draws {@code g}; a graph equal to the one shown costs no round trip. */
  public void setGraph(Graph g) {
    setGraph(g, -1, false);
  }

  /**
   * Draws {@code g} lying at {@code position} on the tape (-1: unknown). {@code force} sends it even
   * when equal to the last one sent: after the browser scrubbed, its drawing is not that one.
   */
  void setGraph(Graph g, int position, boolean force) {
    if (!force && g.equals(shown)) {
      return;
    }
    shown = g;
    getElement().callJsFunction("setGraph", GraphJson.of(g), position);
  }

  /** The graph last sent to the browser, or null before the first. */
  public Graph shown() {
    return shown;
  }

  void setTape(Timeline timeline, int position) {
    getElement().callJsFunction("setTape", GraphJson.tape(timeline, position));
  }

  void showCompare(ChangeSet diff) {
    getElement().callJsFunction("showCompare", GraphJson.diff(diff));
  }

  void setLayout(String layout) {
    getElement().callJsFunction("setLayout", layout);
  }

  void select(String id) {
    getElement().callJsFunction("select", id == null ? "" : id);
  }

  void onSelection(Consumer<String> listener) {
    this.selectionListener = listener;
  }

  /** A click on a node (its id) or on the background (empty). */
  @ClientCallable
  void nodeSelected(String id) {
    selectionListener.accept(id == null || id.isBlank() ? null : id);
  }

  /** Lays out every node again from scratch. */
  public void relayout() {
    getElement().callJsFunction("relayout");
  }

  /** Zooms and pans so that the whole graph is visible. */
  public void fit() {
    getElement().callJsFunction("fit");
  }
}
