package io.chronoscope.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;

/** uPlot charts of one node's series with deploy markers: {@code <chronoscope-metrics>}. */
@Tag("chronoscope-metrics")
@NpmPackage(value = "uplot", version = "1.6.32")
@JsModule("./chronoscope-metrics.js")
final class MetricsChart extends Component implements HasSize {
  /** Sparklines: small charts without axes or badges. */
  void setCompact(boolean compact) {
    getElement().setAttribute("compact", compact);
  }

  /** Asks the browser to fetch and draw the node's series over [from, to] (epoch ms). */
  void load(String node, long from, long to) {
    // Flow encodes no Long for JavaScript: epoch ms fit a double exactly.
    getElement().callJsFunction("load", node, (double) from, (double) to);
  }
}
