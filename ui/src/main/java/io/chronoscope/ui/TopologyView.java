package io.chronoscope.ui;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.Location;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.shared.Registration;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Views;
import io.micronaut.context.annotation.Prototype;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The explorer: one view of the topology at one instant, live (following the store's head) or
 * rewound with the time slider. The URL carries view and instant, so a link shows the same graph.
 * Refreshes by polling: the reverse proxy in front forwards no WebSocket.
 */
@Route("")
@PageTitle("Chronoscope")
@Prototype
public class TopologyView extends VerticalLayout implements BeforeEnterObserver {
  static final int POLL_INTERVAL_MS = 2000;
  static final String NO_DATA = "No data yet — waiting for the first probe report";

  private final TopologyStore store;
  private final Clock clock;

  private final Select<String> viewSelect = new Select<>();
  private final Span counts = new Span();
  private final GraphView graph = new GraphView();
  private final Div emptyState = new Div();
  private final Button liveButton = new Button();
  private final TimeSlider slider = new TimeSlider();
  private final Span timeLabel = new Span();
  private final Span rangeLabel = new Span();

  private String view = Views.PROCESSES;
  private boolean live = true;
  /** The instant drawn, epoch ms; following the head while live. Long.MIN_VALUE before any. */
  private long shownAt = Long.MIN_VALUE;
  private TimeRange sliderRange = TimeRange.EMPTY;
  private long sliderAt = Long.MIN_VALUE;
  private Boolean liveButtonShowsLive;
  private Registration pollRegistration;

  @Inject
  public TopologyView(TopologyStore store) {
    this(store, Clock.systemUTC());
  }

  TopologyView(TopologyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    setSizeFull();
    setPadding(true);
    setSpacing(false);
    getStyle().set("gap", "var(--lumo-space-s)");
    add(header(), canvas(), timeline());
  }

  private HorizontalLayout header() {
    H1 title = new H1("Chronoscope");
    title.getStyle().set("font-size", "var(--lumo-font-size-xl)").set("margin", "0 var(--lumo-space-m) 0 0");

    viewSelect.setId("view-select");
    viewSelect.setLabel("View");
    viewSelect.setItems(Views.names());
    viewSelect.setItemLabelGenerator(TopologyView::viewTitle);
    viewSelect.setValue(view);
    viewSelect.addValueChangeListener(e -> {
      if (e.isFromClient() && e.getValue() != null) {
        view = e.getValue();
        redraw();
        updateUrl();
      }
    });

    counts.setId("graph-counts");
    counts.getStyle().set("font-weight", "600").set("white-space", "nowrap");

    Button fit = new Button("Fit", e -> graph.fit());
    fit.setId("fit-button");
    fit.setTooltipText("Zoom to show the whole graph");
    Button relayout = new Button("Re-layout", e -> graph.relayout());
    relayout.setId("relayout-button");
    relayout.setTooltipText("Lay out every node again");

    HorizontalLayout legend = new HorizontalLayout(
        legendEntry("●", "#2b6cb0", Kinds.PROCESS),
        legendEntry("■", "#6b46c1", Kinds.PROCESS_GROUP),
        legendEntry("⬢", "#2f855a", Kinds.HOST),
        legendEntry("◆", "#c05621", Kinds.REMOTE),
        legendEntry("▬", "#2c7a7b", Kinds.CONTAINER),
        legendEntry("⬟", "#326ce5", Kinds.POD),
        legendEntry("★", "#553c9a", Kinds.WORKLOAD + " / " + Kinds.SERVICE));
    legend.setSpacing(false);
    legend.getStyle().set("gap", "var(--lumo-space-m)").set("font-size", "var(--lumo-font-size-s)")
        .set("color", "var(--lumo-secondary-text-color)");

    Div spacer = new Div();
    HorizontalLayout header = new HorizontalLayout(title, viewSelect, counts, legend, spacer, fit, relayout);
    header.setWidthFull();
    header.setAlignItems(FlexComponent.Alignment.BASELINE);
    header.setFlexGrow(1, spacer);
    header.getStyle().set("flex-wrap", "wrap");
    return header;
  }

  private static Span legendEntry(String symbol, String colour, String kind) {
    Span mark = new Span(symbol);
    mark.getStyle().set("color", colour).set("margin-right", "0.25em");
    Span entry = new Span(mark, new Span(kind));
    entry.getStyle().set("white-space", "nowrap");
    return entry;
  }

  private Div canvas() {
    graph.setSizeFull();
    emptyState.setId("empty-state");
    emptyState.setText(NO_DATA);
    emptyState.getStyle().set("position", "absolute").set("inset", "0")
        .set("display", "flex").set("align-items", "center").set("justify-content", "center")
        .set("font-size", "var(--lumo-font-size-l)").set("color", "var(--lumo-secondary-text-color)")
        .set("pointer-events", "none");
    showEmptyState(false);
    Div canvas = new Div(graph, emptyState);
    canvas.setWidthFull();
    canvas.getStyle().set("position", "relative").set("flex", "1 1 auto").set("min-height", "320px")
        .set("border", "1px solid var(--lumo-contrast-20pct)")
        .set("border-radius", "var(--lumo-border-radius-l)")
        .set("background", "var(--lumo-base-color)");
    return canvas;
  }

  private VerticalLayout timeline() {
    liveButton.setId("live-button");
    liveButton.addClickListener(e -> setLive(!live));

    slider.setId("time-slider");
    slider.getStyle().set("flex", "1 1 auto").set("min-width", "200px").set("cursor", "pointer")
        .set("accent-color", "var(--lumo-primary-color)");
    slider.addInstantListener(this::travelTo);

    timeLabel.setId("time-label");
    // A fixed width keeps the slider from changing length as the label text changes.
    timeLabel.getStyle().set("font-family", "var(--lumo-font-family-monospace, monospace)")
        .set("white-space", "nowrap").set("font-weight", "600").set("min-width", "44ch");

    HorizontalLayout controls = new HorizontalLayout(liveButton, slider, timeLabel);
    controls.setWidthFull();
    controls.setAlignItems(FlexComponent.Alignment.CENTER);

    rangeLabel.setId("range-label");
    rangeLabel.getStyle().set("font-size", "var(--lumo-font-size-s)")
        .set("color", "var(--lumo-secondary-text-color)");

    VerticalLayout timeline = new VerticalLayout(controls, rangeLabel);
    timeline.setPadding(false);
    timeline.setSpacing(false);
    timeline.setWidthFull();
    return timeline;
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    QueryParameters query = event.getLocation().getQueryParameters();
    query.getSingleParameter("view").filter(Views::exists).ifPresent(v -> view = v);
    viewSelect.setValue(view);
    Optional<Long> at = query.getSingleParameter("at").flatMap(TopologyView::parseInstant);
    live = at.isEmpty();
    at.ifPresent(t -> shownAt = t);
  }

  @Override
  protected void onAttach(AttachEvent event) {
    UI ui = event.getUI();
    ui.setPollInterval(POLL_INTERVAL_MS);
    pollRegistration = ui.addPollListener(e -> refresh());
    refresh();
  }

  @Override
  protected void onDetach(DetachEvent event) {
    if (pollRegistration != null) {
      pollRegistration.remove();
      pollRegistration = null;
    }
    event.getUI().setPollInterval(-1);
  }

  /** One poll: follow the head while live, keep the slider over the retained range always. */
  void refresh() {
    TimeRange range = store.retained();
    boolean empty = range.isEmpty();
    showEmptyState(empty);
    slider.setEnabled(!empty);
    liveButton.setEnabled(!empty);
    updateLiveButton();
    if (empty) {
      graph.setGraph(Graph.EMPTY);
      counts.setText("0 nodes");
      timeLabel.setText("no data");
      rangeLabel.setText("Retained: nothing yet");
      return;
    }
    if (live && range.to() == shownAt && graph.shown() != null) {
      // The head has not moved, so neither has the graph: spare the store a stateAt per poll.
      timeLabel.setText(InstantLabel.describe(shownAt, clock.millis(), true));
    } else if (live) {
      draw(range.to());
    } else if (graph.shown() == null) {
      // First drawing of a linked instant: one the store no longer holds (an old incident link)
      // shows the nearest retained instant instead, said once rather than on every poll.
      long at = shownAt == Long.MIN_VALUE ? range.to() : shownAt;
      long clamped = clamp(at, range);
      if (clamped != at) {
        notifyError("Cannot show " + InstantLabel.iso(at) + ": the store holds "
            + InstantLabel.iso(range.from()) + " → " + InstantLabel.iso(range.to())
            + "; showing " + InstantLabel.iso(clamped) + " instead");
      }
      draw(clamped);
    } else {
      timeLabel.setText(InstantLabel.describe(shownAt, clock.millis(), false));
    }
    rangeLabel.setText("Retained: " + InstantLabel.iso(range.from()) + " → "
        + InstantLabel.iso(range.to()) + " (" + InstantLabel.duration(range.to() - range.from()) + ")");
    updateSlider(range);
  }

  /** By style, not setVisible: the inline display:flex would win over the hidden attribute. */
  private void showEmptyState(boolean show) {
    emptyState.getStyle().set("display", show ? "flex" : "none");
  }

  private void updateSlider(TimeRange range) {
    long at = live ? range.to() : shownAt;
    if (!range.equals(sliderRange) || at != sliderAt) {
      slider.show(range.from(), range.to(), at);
      sliderRange = range;
      sliderAt = at;
    }
  }

  /** The user let go of the slider: stop following the head and show that instant. */
  private void travelTo(long at) {
    TimeRange range = store.retained();
    if (range.isEmpty()) {
      return;
    }
    long clamped = clamp(at, range);
    live = false;
    sliderAt = clamped;
    draw(clamped);
    updateLiveButton();
    updateUrl();
  }

  private void setLive(boolean live) {
    this.live = live;
    if (!live && shownAt == Long.MIN_VALUE) {
      shownAt = store.retained().to();
    }
    updateUrl();
    refresh();
  }

  /** Redraws the instant shown, e.g. after a view change. */
  private void redraw() {
    TimeRange range = store.retained();
    if (!range.isEmpty()) {
      draw(live || shownAt == Long.MIN_VALUE ? range.to() : shownAt);
    }
  }

  private void draw(long at) {
    Graph world;
    try {
      world = store.stateAt(at);
    } catch (OutOfRetentionException e) {
      // Retention moved past the instant between reading the range and asking for it.
      notifyError("Cannot show " + InstantLabel.iso(at) + ": " + e.getMessage());
      sliderAt = Long.MIN_VALUE; // put the thumb back on what is still shown
      return;
    }
    Graph g = Views.render(view, world).orElse(Graph.EMPTY);
    graph.setGraph(g);
    shownAt = at;
    counts.setText(plural(g.nodes().size(), "node") + " · " + plural(g.edges().size(), "edge"));
    timeLabel.setText(InstantLabel.describe(at, clock.millis(), live));
  }

  private void notifyError(String message) {
    Notification n = Notification.show(message, 8000, Notification.Position.TOP_CENTER);
    n.addThemeVariants(NotificationVariant.LUMO_ERROR);
  }

  private void updateLiveButton() {
    if (liveButtonShowsLive != null && liveButtonShowsLive == live) {
      return;
    }
    liveButtonShowsLive = live;
    liveButton.setText(live ? "● Live" : "Go live");
    liveButton.removeThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_SUCCESS,
        ButtonVariant.LUMO_CONTRAST);
    if (live) {
      liveButton.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_SUCCESS);
      liveButton.setTooltipText("Following the latest state; click to pause here");
    } else {
      liveButton.addThemeVariants(ButtonVariant.LUMO_CONTRAST);
      liveButton.setTooltipText("Showing a past instant; click to follow the latest state");
    }
    liveButton.getElement().setAttribute("aria-pressed", String.valueOf(live));
  }

  private void updateUrl() {
    Map<String, String> params = new LinkedHashMap<>();
    if (!Views.PROCESSES.equals(view)) {
      params.put("view", view);
    }
    if (!live && shownAt != Long.MIN_VALUE) {
      params.put("at", Instant.ofEpochMilli(shownAt).toString());
    }
    getUI().ifPresent(ui -> ui.getPage().getHistory()
        .replaceState(null, new Location("", QueryParameters.simple(params))));
  }

  private static long clamp(long at, TimeRange range) {
    return Math.max(range.from(), Math.min(range.to(), at));
  }

  static Optional<Long> parseInstant(String s) {
    try {
      return Optional.of(Instant.parse(s).toEpochMilli());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Long.parseLong(s));
      } catch (NumberFormatException notMillis) {
        return Optional.empty();
      }
    }
  }

  static String viewTitle(String view) {
    String words = view.replace('-', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
