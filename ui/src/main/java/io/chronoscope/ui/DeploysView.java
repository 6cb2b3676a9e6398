package io.chronoscope.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import io.chronoscope.model.Json;
import io.chronoscope.store.TimelineEvents;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Deploys in a range: source, target, version, commit and pipeline links, author, status, verdict,
 * and a link to the topology diff around each. Reads {@code /api/v1/deploys} from the browser (its
 * session); a server without that API still lists the deploy markers of the timeline.
 */
@Route("deploys")
@PageTitle("Chronoscope · Deploys")
@Prototype
public class DeploysView extends VerticalLayout implements BeforeEnterObserver {
  static final long DIFF_WINDOW_MS = 5 * 60_000;

  private final TimelineEvents events;
  private final Select<String> rangeSelect = new Select<>();
  private final TextField targetField = new TextField("Target");
  private final Select<String> verdictSelect = new Select<>();
  private final Grid<DeployRow> grid = new Grid<>();
  private final Span status = new Span();

  @Inject
  public DeploysView(@Nullable TimelineEvents events) {
    this.events = events == null ? TimelineEvents.NONE : events;
    setSizeFull();
    H2 title = new H2("Deploys");
    title.getStyle().set("margin", "0");
    rangeSelect.setId("deploys-range");
    rangeSelect.setLabel("Range");
    rangeSelect.setItems(new ArrayList<>(TopologyView.RANGES.keySet()).subList(0, 5));
    rangeSelect.setItemLabelGenerator(TopologyView::rangeTitle);
    rangeSelect.setValue("1d");
    targetField.setId("deploys-target");
    targetField.setClearButtonVisible(true);
    verdictSelect.setId("deploys-verdict");
    verdictSelect.setLabel("Verdict");
    verdictSelect.setItems("any", "healthy", "suspect", "failed");
    verdictSelect.setValue("any");
    Button show = new Button("Show", e -> load());
    show.setId("deploys-show");
    Anchor back = new Anchor("", "← Explorer");
    HorizontalLayout controls = new HorizontalLayout(back, title, rangeSelect, targetField, verdictSelect, show);
    controls.setAlignItems(FlexComponent.Alignment.BASELINE);

    grid.setId("deploys-grid");
    grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    grid.addColumn(r -> r.at() == 0 ? "" : Instant.ofEpochMilli(r.at()).toString()).setHeader("Started")
        .setSortable(true).setAutoWidth(true);
    grid.addColumn(DeployRow::source).setHeader("Source").setAutoWidth(true);
    grid.addColumn(DeployRow::target).setHeader("Target").setAutoWidth(true);
    grid.addColumn(DeployRow::version).setHeader("Version").setAutoWidth(true);
    grid.addComponentColumn(r -> link(r.commitUrl(), r.commit() == null ? "" : r.commit())).setHeader("Commit");
    grid.addComponentColumn(r -> link(r.pipelineUrl(), "pipeline")).setHeader("Pipeline");
    grid.addColumn(DeployRow::author).setHeader("Author").setAutoWidth(true);
    grid.addColumn(DeployRow::phase).setHeader("Status").setAutoWidth(true);
    grid.addComponentColumn(DeploysView::verdictBadge).setHeader("Verdict").setAutoWidth(true);
    grid.addComponentColumn(r -> new Anchor(diffLink(r.at()), "show topology diff")).setHeader("")
        .setAutoWidth(true);
    grid.setSizeFull();
    status.setId("deploys-status");
    add(controls, status, grid);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    QueryParameters q = event.getLocation().getQueryParameters();
    q.getSingleParameter("target").ifPresent(targetField::setValue);
    q.getSingleParameter("verdict").filter(v -> List.of("healthy", "suspect", "failed").contains(v))
        .ifPresent(verdictSelect::setValue);
    load();
  }

  private void load() {
    long to = System.currentTimeMillis();
    long from = to - TopologyView.RANGES.getOrDefault(rangeSelect.getValue(), 86_400_000L);
    String target = targetField.getValue() == null ? "" : targetField.getValue().trim();
    String verdict = "any".equals(verdictSelect.getValue()) ? "" : verdictSelect.getValue();
    String url = "/api/v1/deploys?from=" + from + "&to=" + to
        + (target.isEmpty() ? "" : "&target=" + URLEncoder.encode(target, StandardCharsets.UTF_8))
        + (verdict == null || verdict.isEmpty() ? "" : "&verdict=" + verdict);
    status.setText("Loading…");
    getElement().executeJs("return fetch($0, {credentials: 'same-origin', headers: {Accept: 'application/json'}})"
        + ".then(r => r.text().then(t => JSON.stringify({status: r.status, body: t})))", url)
        .then(String.class, answer -> show(answer, from, to, target, verdict),
            error -> fallback(from, to, target, verdict, "the browser could not reach the API: " + error));
  }

  private void show(String answer, long from, long to, String target, String verdict) {
    try {
      JsonNode a = Json.mapper().readTree(answer);
      int code = a.path("status").asInt();
      if (code != 200) {
        fallback(from, to, target, verdict, "/api/v1/deploys answered " + code);
        return;
      }
      List<DeployRow> rows = DeployRow.parse(Json.mapper().readTree(a.path("body").asText()));
      grid.setItems(rows);
      status.setText(rows.isEmpty() ? "No deploys in this range" : rows.size() + " deploys");
    } catch (Exception e) {
      fallback(from, to, target, verdict, "/api/v1/deploys answered something unreadable");
    }
  }

  /** Without the deploys API: the timeline's deploy events, filtered here. */
  private void fallback(long from, long to, String target, String verdict, String why) {
    List<DeployRow> rows = events.between(from, to, Timeline.MAX_EVENTS).stream().map(DeployRow::of)
        .filter(r -> target.isEmpty() || r.target() != null && r.target().contains(target))
        .filter(r -> verdict == null || verdict.isEmpty() || verdict.equals(r.verdict()))
        .toList();
    grid.setItems(rows);
    status.setText((rows.isEmpty() ? "No deploys in this range" : rows.size() + " deploys from the timeline")
        + " (" + why + ": commit and pipeline links need the deploys API)");
  }

  /** The explorer comparing five minutes before the deploy with five minutes after it. */
  static String diffLink(long at) {
    return "?at=" + Instant.ofEpochMilli(at - DIFF_WINDOW_MS) + "&cmp=" + Instant.ofEpochMilli(at + DIFF_WINDOW_MS);
  }

  private static com.vaadin.flow.component.Component link(String href, String text) {
    if (href == null) {
      return new Span(text);
    }
    Anchor a = new Anchor(href, text.isEmpty() ? "link" : text);
    a.setTarget("_blank");
    return a;
  }

  private static Span verdictBadge(DeployRow r) {
    String v = r.verdict() == null ? "pending" : r.verdict().toLowerCase(Locale.ROOT);
    Span badge = new Span(v);
    badge.getElement().getThemeList().add("badge");
    switch (v) {
      case "healthy" -> badge.getElement().getThemeList().add("success");
      case "suspect" -> badge.getElement().getThemeList().add("contrast");
      case "failed" -> badge.getElement().getThemeList().add("error");
      default -> { }
    }
    return badge;
  }
}
