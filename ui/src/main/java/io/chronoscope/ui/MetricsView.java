package io.chronoscope.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.Location;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import io.micronaut.context.annotation.Prototype;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Charts of one node's (or workload's) metrics over a range, with deploy markers in their
 * verdict's colour; the node comes from the explorer's details panel or the URL.
 */
@Route("charts")
@PageTitle("Chronoscope · Metrics")
@Prototype
public class MetricsView extends VerticalLayout implements BeforeEnterObserver {
  private final TextField nodeField = new TextField("Node id");
  private final Select<String> rangeSelect = new Select<>();
  private final MetricsChart chart = new MetricsChart();
  private String range = "1h";

  public MetricsView() {
    setSizeFull();
    H2 title = new H2("Metrics");
    title.getStyle().set("margin", "0");
    nodeField.setId("metrics-node");
    nodeField.setWidth("32em");
    nodeField.setPlaceholder("a node id from the explorer, e.g. <host id>;<pid>;<start time>");
    rangeSelect.setId("metrics-range");
    rangeSelect.setLabel("Range");
    rangeSelect.setItems(new ArrayList<>(TopologyView.RANGES.keySet()).subList(0, 5));
    rangeSelect.setItemLabelGenerator(TopologyView::rangeTitle);
    rangeSelect.setValue(range);
    Button show = new Button("Show", e -> load());
    show.setId("metrics-show");
    show.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Anchor back = new Anchor("", "← Explorer");
    back.setId("nav-explorer");
    HorizontalLayout controls = new HorizontalLayout(back, title, nodeField, rangeSelect, show);
    controls.setAlignItems(FlexComponent.Alignment.BASELINE);
    controls.getStyle().set("flex-wrap", "wrap");
    chart.setId("metrics-chart");
    chart.setWidthFull();
    add(controls, chart);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    QueryParameters q = event.getLocation().getQueryParameters();
    q.getSingleParameter("node").ifPresent(nodeField::setValue);
    q.getSingleParameter("range").filter(TopologyView.RANGES::containsKey).ifPresent(r -> range = r);
    rangeSelect.setValue(range);
    if (!nodeField.isEmpty()) {
      load();
    }
  }

  private void load() {
    if (nodeField.isEmpty()) {
      nodeField.setErrorMessage("a node id is required");
      nodeField.setInvalid(true);
      return;
    }
    nodeField.setInvalid(false);
    range = rangeSelect.getValue() == null ? "1h" : rangeSelect.getValue();
    long to = System.currentTimeMillis();
    chart.load(nodeField.getValue().trim(), to - TopologyView.RANGES.get(range), to);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("node", nodeField.getValue().trim());
    params.put("range", range);
    getUI().ifPresent(ui -> ui.getPage().getHistory()
        .replaceState(null, new Location("charts", QueryParameters.simple(params))));
  }
}
