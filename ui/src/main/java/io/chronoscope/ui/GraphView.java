package io.chronoscope.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;
import io.chronoscope.topology.Graph;

/**
 * The topology drawing: a {@code <chronoscope-graph>} element owning a Cytoscape.js instance.
 * Each {@link #setGraph} sends the whole (small) graph; the browser applies only the difference,
 * so nodes that stay keep their positions.
 */
@Tag("chronoscope-graph")
@NpmPackage(value = "cytoscape", version = "3.34.4")
@JsModule("./chronoscope-graph.js")
public class GraphView extends Component implements HasSize {
  private Graph shown;

  public GraphView() {
    setWidthFull();
  }

  /** Draws {@code g}; a graph equal to the one shown costs no round trip. */
  public void setGraph(Graph g) {
    if (g.equals(shown)) {
      return;
    }
    shown = g;
    getElement().callJsFunction("setGraph", GraphJson.of(g));
  }

  /** The graph last sent to the browser, or null before the first. */
  public Graph shown() {
    return shown;
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
