package io.chronoscope.ui;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.Location;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.shared.Registration;
import io.chronoscope.store.EntityQuery;
import io.chronoscope.store.EntitySpan;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The explorer: one view of the topology at one instant, live (following the store's head),
 * paused, or rewound along the timeline; optionally compared with a second instant. The URL
 * carries view, instants, filters and selection, so a link shows the same screen.
 * Refreshes by polling: the reverse proxy in front forwards no WebSocket.
 */
@Route("")
@PageTitle("Chronoscope")
@Prototype
public class TopologyView extends VerticalLayout implements BeforeEnterObserver {
  static final int POLL_INTERVAL_MS = 2000;
  /**
   * The coarser view a user is offered when a view has more nodes than the graph draws: Scope's
   * answer to thousands of processes was grouping them by name, and ours for containers is their
   * image and for pods their workload.
   */
  static final Map<String, String> COARSER = Map.of(Views.PROCESSES, Views.PROCESSES_BY_NAME,
      Views.CONTAINERS, Views.CONTAINERS_BY_IMAGE, Views.CONTAINERS_BY_HOSTNAME, Views.CONTAINERS_BY_IMAGE,
      Views.PODS, Views.WORKLOADS);

  /** Lifetimes listed by a search across time; the newest first. */
  static final int HISTORY_LIMIT = 200;
  private static final Map<String, String> VIEW_OF_KIND = Map.of(Kinds.PROCESS, Views.PROCESSES,
      Kinds.CONTAINER, Views.CONTAINERS, Kinds.POD, Views.PODS, Kinds.HOST, Views.HOSTS);

  /** How long after the last drag notice polls still keep out of the user's way. */
  static final long DRAG_HOLD_MS = 3_000;
  /** The timeline (and the tape) is read again every this many polls while live. */
  static final int TIMELINE_EVERY_POLLS = 5;
  static final int DEFAULT_THRESHOLD = 1500;
  static final String NO_DATA = "No data yet — waiting for the first probe report";
  static final Map<String, Long> RANGES = rangesInOrder();
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,317}");

  enum Mode { LIVE, PAUSED, TIME_TRAVEL }

  private final TopologyStore store;
  private final TimelineEvents events;
  private final Clock clock;

  private final Select<String> viewSelect = new Select<>();
  private final TextField searchBox = new TextField();
  private final Button historyButton = new Button("Search history");
  private final Button groupSuggestion = new Button();
  private final VerticalLayout historyPanel = new VerticalLayout();
  private final Span historyTitle = new Span();
  private final Grid<EntitySpan> historyGrid = new Grid<>();
  private final TextField namespaceField = new TextField();
  private final TextField groupField = new TextField();
  private final Select<String> layoutSelect = new Select<>();
  private final Select<String> displaySelect = new Select<>();
  private final IntegerField thresholdField = new IntegerField();
  private final Span counts = new Span();
  private final Span notice = new Span();
  private final GraphView graph = new GraphView();
  private final Grid<Node> table = new Grid<>();
  private final Div emptyState = new Div();
  private final DetailsPanel details = new DetailsPanel(() -> select(null, true));
  private final Grid<DiffRow> compareList = new Grid<>();
  private final Button liveButton = new Button();
  private final Span modeLabel = new Span();
  private final Select<String> rangeSelect = new Select<>();
  private final DateTimePicker customFrom = new DateTimePicker();
  private final DateTimePicker customTo = new DateTimePicker();
  private final Button compareButton = new Button("Compare");
  private final TimelineBar timelineBar = new TimelineBar();
  private final TimeSlider slider = new TimeSlider();
  private final TimeSlider compareSlider = new TimeSlider();
  private final Span timeLabel = new Span();
  private final Span rangeLabel = new Span();

  private String view = Views.PROCESSES;
  private FilteredView filter = FilteredView.of(Views.PROCESSES);
  private boolean live = true;
  /** When the user last moved the cursor by dragging it, clock ms; MIN_VALUE when not dragging. */
  private long draggedAt = Long.MIN_VALUE;
  /** True once the user moved away from the head (cursor, link, jump, playback). */
  private boolean travelled;
  /** The instant drawn, epoch ms; following the head while live. Long.MIN_VALUE before any. */
  private long shownAt = Long.MIN_VALUE;
  private boolean compare;
  private long compareAt = Long.MIN_VALUE;
  private String range = "1h";
  private String layout = "auto";
  private boolean tableShown;
  private int threshold = DEFAULT_THRESHOLD;
  private String selected;
  /** Playback speed while the browser plays the tape, else 0. */
  private int playing;
  private Timeline timeline;
  private int pollsSinceTimeline;
  private Graph drawnWorld = Graph.EMPTY;
  private Graph drawn = Graph.EMPTY;
  private TimeRange sliderRange = TimeRange.EMPTY;
  private long sliderAt = Long.MIN_VALUE;
  private long sliderFrom = Long.MIN_VALUE;
  private Registration pollRegistration;

  @Inject
  public TopologyView(TopologyStore store, @Nullable TimelineEvents events) {
    this(store, events, Clock.systemUTC());
  }

  TopologyView(TopologyStore store, Clock clock) {
    this(store, null, clock);
  }

  TopologyView(TopologyStore store, TimelineEvents events, Clock clock) {
    this.store = store;
    this.events = events == null ? TimelineEvents.NONE : events;
    this.clock = clock;
    setSizeFull();
    setPadding(true);
    setSpacing(false);
    getStyle().set("gap", "var(--lumo-space-s)");
    add(header(), filters(), historyPanel(), body(), timelinePanel());
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
        applyFilters();
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

    Anchor metrics = new Anchor("charts", "Metrics");
    metrics.setId("nav-metrics");
    Anchor deploys = new Anchor("deploys", "Deploys");
    deploys.setId("nav-deploys");
    HorizontalLayout nav = new HorizontalLayout(metrics, deploys);

    Div spacer = new Div();
    HorizontalLayout header = new HorizontalLayout(title, viewSelect, counts, legend, spacer, nav, fit, relayout);
    header.setWidthFull();
    header.setAlignItems(FlexComponent.Alignment.BASELINE);
    header.setFlexGrow(1, spacer);
    header.getStyle().set("flex-wrap", "wrap");
    return header;
  }

  private HorizontalLayout filters() {
    searchBox.setId("search-box");
    searchBox.setLabel("Search");
    searchBox.setPlaceholder("nginx  comm: java  /^redis/  cpu > 4%  memory < 10mb  app=api");
    searchBox.setClearButtonVisible(true);
    searchBox.setWidth("28em");
    searchBox.setTooltipText("Free text, field: value, /regex/, metric comparisons (cpu > 4%, memory < 10mb)"
        + " and label requirements (app=api, tier!=cache, !canary); all terms must match");
    searchBox.addValueChangeListener(e -> {
      if (e.isFromClient()) {
        applyFilters();
      }
    });

    namespaceField.setId("namespace-filter");
    namespaceField.setLabel("Namespace");
    namespaceField.setClearButtonVisible(true);
    namespaceField.setWidth("10em");
    namespaceField.addValueChangeListener(e -> {
      if (e.isFromClient()) {
        applyFilters();
      }
    });

    groupField.setId("group-by");
    groupField.setLabel("Group by label");
    groupField.setPlaceholder("label key");
    groupField.setClearButtonVisible(true);
    groupField.setWidth("10em");
    groupField.addValueChangeListener(e -> {
      if (e.isFromClient()) {
        applyFilters();
      }
    });

    layoutSelect.setId("layout-select");
    layoutSelect.setLabel("Layout");
    layoutSelect.setItems("auto", "layered", "force");
    layoutSelect.setItemLabelGenerator(l -> switch (l) {
      case "layered" -> "Layered (clients above servers)";
      case "force" -> "Force-directed (fcose)";
      default -> "Auto (layered up to 400 nodes)";
    });
    layoutSelect.setValue(layout);
    layoutSelect.addValueChangeListener(e -> {
      if (e.isFromClient() && e.getValue() != null) {
        layout = e.getValue();
        graph.setLayout(layout);
        graph.relayout();
        updateUrl();
      }
    });

    displaySelect.setId("display-select");
    displaySelect.setLabel("Show");
    displaySelect.setItems("graph", "table");
    displaySelect.setItemLabelGenerator(d -> d.equals("table") ? "Table" : "Graph");
    displaySelect.setValue("graph");
    displaySelect.addValueChangeListener(e -> {
      if (e.isFromClient() && e.getValue() != null) {
        tableShown = e.getValue().equals("table");
        redraw();
        updateUrl();
      }
    });

    thresholdField.setId("threshold");
    thresholdField.setLabel("Table above (nodes)");
    thresholdField.setMin(1);
    thresholdField.setMax(1_000_000);
    thresholdField.setValue(threshold);
    thresholdField.setWidth("9em");
    thresholdField.setTooltipText("Graphs with more nodes show as a table: group by a label, or raise this");
    thresholdField.addValueChangeListener(e -> {
      if (e.isFromClient() && e.getValue() != null && e.getValue() > 0) {
        threshold = e.getValue();
        redraw();
        updateUrl();
      }
    });

    notice.setId("display-notice");
    notice.getStyle().set("font-size", "var(--lumo-font-size-s)").set("color", "var(--lumo-warning-text-color, #b7791f)");

    historyButton.setId("history-search-button");
    historyButton.setTooltipText("Find what matched the search at any time the store holds (names, ids and"
        + " labels, field:value): \"where was pod X last Tuesday\"; click a result to travel to it");
    historyButton.addClickListener(e -> searchHistory());

    groupSuggestion.setId("group-suggestion");
    groupSuggestion.addThemeVariants(ButtonVariant.LUMO_SMALL);
    groupSuggestion.setVisible(false);
    groupSuggestion.addClickListener(e -> {
      String coarser = COARSER.get(view);
      if (coarser != null) {
        view = coarser;
        viewSelect.setValue(coarser);
        applyFilters();
      }
    });

    HorizontalLayout row = new HorizontalLayout(searchBox, historyButton, namespaceField, groupField, layoutSelect,
        displaySelect, thresholdField, notice, groupSuggestion);
    row.setWidthFull();
    row.setAlignItems(FlexComponent.Alignment.BASELINE);
    row.getStyle().set("flex-wrap", "wrap");
    return row;
  }

  /** Results of a search across time, hidden until one is made. */
  private VerticalLayout historyPanel() {
    historyTitle.setId("history-title");
    historyTitle.getStyle().set("font-weight", "600");
    Button close = new Button("Close", e -> historyPanel.setVisible(false));
    close.setId("history-close");
    close.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
    HorizontalLayout top = new HorizontalLayout(historyTitle, close);
    top.setAlignItems(FlexComponent.Alignment.BASELINE);
    historyGrid.setId("history-results");
    historyGrid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    historyGrid.addColumn(EntitySpan::kind).setHeader("Kind").setAutoWidth(true);
    historyGrid.addColumn(EntitySpan::name).setHeader("Name").setAutoWidth(true);
    historyGrid.addColumn(sp -> InstantLabel.iso(sp.firstSeen())).setHeader("First seen").setAutoWidth(true);
    historyGrid.addColumn(sp -> sp.lastSeen() == null ? "still there" : InstantLabel.iso(sp.lastSeen()))
        .setHeader("Gone at").setAutoWidth(true);
    historyGrid.addColumn(EntitySpan::id).setHeader("Id").setFlexGrow(1);
    historyGrid.setAllRowsVisible(false);
    historyGrid.setHeight("14em");
    historyGrid.addItemClickListener(e -> travelToLifetime(e.getItem()));
    historyPanel.add(top, historyGrid);
    historyPanel.setPadding(false);
    historyPanel.setSpacing(false);
    historyPanel.setId("history-panel");
    historyPanel.setVisible(false);
    return historyPanel;
  }

  /**
   * The search box's words looked up across the whole retained history (the store's entity
   * lifetimes), not just the instant shown. The explorer's {@code field: value} is written
   * {@code field:value} there; metric terms have no history and match nothing.
   */
  private void searchHistory() {
    String text = searchBox.getValue() == null ? "" : searchBox.getValue().trim().replaceAll("(\\S):\\s+", "$1:");
    EntityQuery query = EntityQuery.parse(text);
    if (query.isEmpty()) {
      searchBox.setErrorMessage("type a name, id or label:value to look for across time");
      searchBox.setInvalid(true);
      return;
    }
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      notifyError("Nothing is stored yet to search");
      return;
    }
    List<EntitySpan> found;
    try {
      found = store.search(query, retained.from(), retained.to(), HISTORY_LIMIT + 1);
    } catch (RuntimeException e) {
      notifyError("Cannot search the history: " + e.getMessage());
      return;
    }
    boolean more = found.size() > HISTORY_LIMIT;
    if (more) {
      found = found.subList(0, HISTORY_LIMIT);
    }
    historyTitle.setText(found.isEmpty()
        ? "Nothing matched “" + text + "” between " + InstantLabel.iso(retained.from()) + " and "
            + InstantLabel.iso(retained.to())
        : (more ? "The " + HISTORY_LIMIT + " latest lifetimes" : found.size() + (found.size() == 1 ? " lifetime"
            : " lifetimes")) + " matching “"
            + text + "” since " + InstantLabel.iso(retained.from()) + " (newest first; click one to travel there)");
    historyGrid.setItems(found);
    historyGrid.setVisible(!found.isEmpty());
    historyPanel.setVisible(true);
  }

  /** Shows the last instant a lifetime was alive, in the view of its kind, with it selected. */
  private void travelToLifetime(EntitySpan span) {
    String kindView = VIEW_OF_KIND.get(span.kind());
    if (kindView != null && !kindView.equals(view)) {
      view = kindView;
      viewSelect.setValue(kindView);
      updateFilter(false);
    }
    if (span.lastSeen() == null) {
      setLive(true);
    } else {
      // Gone at lastSeen: the tick before it is the last that holds it.
      travelTo(span.lastSeen() - 1);
      updateSliders(store.retained());
    }
    select(span.id(), false);
    updateUrl();
  }

  private static Span legendEntry(String symbol, String colour, String kind) {
    Span mark = new Span(symbol);
    mark.getStyle().set("color", colour).set("margin-right", "0.25em");
    Span entry = new Span(mark, new Span(kind));
    entry.getStyle().set("white-space", "nowrap");
    return entry;
  }

  private HorizontalLayout body() {
    graph.setSizeFull();
    graph.onSelection(id -> select(id, true));
    emptyState.setId("empty-state");
    emptyState.setText(NO_DATA);
    emptyState.getStyle().set("position", "absolute").set("inset", "0")
        .set("display", "flex").set("align-items", "center").set("justify-content", "center")
        .set("font-size", "var(--lumo-font-size-l)").set("color", "var(--lumo-secondary-text-color)")
        .set("pointer-events", "none");
    showEmptyState(false);

    table.setId("node-table");
    table.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    table.addColumn(TopologyView::label).setHeader("Name").setSortable(true).setAutoWidth(true);
    table.addColumn(Node::kind).setHeader("Kind").setSortable(true).setAutoWidth(true);
    table.addColumn(n -> String.valueOf(n.attrs().getOrDefault("hostname", ""))).setHeader("Host")
        .setSortable(true).setAutoWidth(true);
    table.addColumn(n -> String.valueOf(n.attrs().getOrDefault("namespace", ""))).setHeader("Namespace")
        .setSortable(true).setAutoWidth(true);
    table.addColumn(n -> degree(n.id())).setHeader("Connections").setSortable(true).setAutoWidth(true);
    table.addColumn(Node::id).setHeader("Id").setSortable(true).setFlexGrow(1);
    table.setSizeFull();
    table.getStyle().set("position", "absolute").set("inset", "0");
    table.addItemClickListener(e -> select(e.getItem().id(), true));
    table.setVisible(false);

    Div canvas = new Div(graph, table, emptyState);
    canvas.setId("canvas");
    canvas.setHeightFull();
    canvas.getStyle().set("position", "relative").set("flex", "1 1 auto").set("min-height", "320px")
        .set("border", "1px solid var(--lumo-contrast-20pct)")
        .set("border-radius", "var(--lumo-border-radius-l)")
        .set("background", "var(--lumo-base-color)");

    details.setVisible(false);

    compareList.setId("compare-list");
    compareList.addThemeVariants(GridVariant.LUMO_COMPACT);
    compareList.addColumn(DiffRow::change).setHeader("Change").setAutoWidth(true);
    compareList.addColumn(DiffRow::type).setHeader("What").setAutoWidth(true);
    compareList.addColumn(DiffRow::name).setHeader("Name").setFlexGrow(1);
    compareList.setWidth("360px");
    compareList.getStyle().set("flex", "0 0 360px");
    compareList.setClassNameGenerator(r -> "diff-" + r.change());
    compareList.addItemClickListener(e -> select(e.getItem().id(), true));
    compareList.setVisible(false);

    HorizontalLayout body = new HorizontalLayout(canvas, compareList, details);
    body.setWidthFull();
    body.setSpacing(false);
    body.getStyle().set("flex", "1 1 auto").set("min-height", "320px").set("gap", "var(--lumo-space-s)");
    return body;
  }

  private VerticalLayout timelinePanel() {
    liveButton.setId("live-button");
    liveButton.addClickListener(e -> setLive(!live));

    modeLabel.setId("mode-label");
    modeLabel.getStyle().set("font-weight", "600").set("min-width", "9em");

    rangeSelect.setId("range-select");
    rangeSelect.setItems(new ArrayList<>(RANGES.keySet()));
    rangeSelect.setItemLabelGenerator(TopologyView::rangeTitle);
    rangeSelect.setValue(range);
    rangeSelect.setWidth("9em");
    rangeSelect.addValueChangeListener(e -> {
      if (e.isFromClient() && e.getValue() != null) {
        range = e.getValue();
        showCustomRange();
        refreshTimeline();
        updateUrl();
      }
    });
    customFrom.setId("custom-from");
    customTo.setId("custom-to");
    customFrom.addValueChangeListener(e -> {
      if (e.isFromClient()) {
        refreshTimeline();
      }
    });
    customTo.addValueChangeListener(e -> {
      if (e.isFromClient()) {
        refreshTimeline();
      }
    });
    showCustomRange();

    Button play1 = playButton("play-1", "▶ 1×", 1);
    Button play10 = playButton("play-10", "▶ 10×", 10);
    Button play60 = playButton("play-60", "▶ 60×", 60);
    Button pause = new Button("Pause", e -> pause());
    pause.setId("pause-button");
    pause.setTooltipText("Stop playback here");

    Button prevDeploy = jumpButton("prev-deploy", "◀ deploy", "Previous deploy", true, false);
    Button nextDeploy = jumpButton("next-deploy", "deploy ▶", "Next deploy", true, true);
    Button prevBurst = jumpButton("prev-burst", "◀ burst", "Previous burst of changes", false, false);
    Button nextBurst = jumpButton("next-burst", "burst ▶", "Next burst of changes", false, true);

    compareButton.setId("compare-button");
    compareButton.setTooltipText("A second cursor (amber): green was added between the two instants, "
        + "red removed, amber changed");
    compareButton.addClickListener(e -> setCompare(!compare));

    HorizontalLayout controls = new HorizontalLayout(liveButton, modeLabel, rangeSelect, customFrom, customTo,
        play1, play10, play60, pause, prevDeploy, nextDeploy, prevBurst, nextBurst, compareButton);
    controls.setWidthFull();
    controls.setAlignItems(FlexComponent.Alignment.CENTER);
    controls.getStyle().set("flex-wrap", "wrap");

    slider.setId("time-slider");
    slider.addInstantListener(this::travelTo);
    slider.addDragListener(this::userDragsTheCursor);
    compareSlider.setId("compare-slider");
    compareSlider.addInstantListener(this::compareTo);
    compareSlider.getStyle().set("display", "none");
    timelineBar.getStyle().set("position", "absolute").set("inset", "0");
    timelineBar.onMarkerClick(this::travelTo);
    timelineBar.onPlaybackStopped(() -> {
      playing = 0;
      updateModeControls();
    });
    Div strip = new Div(timelineBar, slider, compareSlider);
    strip.setId("timeline");
    strip.setWidthFull();
    strip.getStyle().set("position", "relative").set("height", "64px")
        .set("border", "1px solid var(--lumo-contrast-10pct)").set("border-radius", "var(--lumo-border-radius-m)");

    timeLabel.setId("time-label");
    timeLabel.getStyle().set("font-family", "var(--lumo-font-family-monospace, monospace)")
        .set("white-space", "nowrap").set("font-weight", "600").set("min-width", "44ch");
    rangeLabel.setId("range-label");
    rangeLabel.getStyle().set("font-size", "var(--lumo-font-size-s)")
        .set("color", "var(--lumo-secondary-text-color)");
    HorizontalLayout labels = new HorizontalLayout(timeLabel, rangeLabel);
    labels.setAlignItems(FlexComponent.Alignment.BASELINE);

    VerticalLayout panel = new VerticalLayout(controls, strip, labels);
    panel.setPadding(false);
    panel.setSpacing(false);
    panel.setWidthFull();
    panel.getStyle().set("gap", "var(--lumo-space-xs)");
    return panel;
  }

  private Button playButton(String id, String text, int speed) {
    Button b = new Button(text, e -> play(speed));
    b.setId(id);
    b.setTooltipText("Play from the cursor at " + speed + "× real time");
    b.addThemeVariants(ButtonVariant.LUMO_SMALL);
    return b;
  }

  private Button jumpButton(String id, String text, String tooltip, boolean deploys, boolean forward) {
    Button b = new Button(text, e -> jump(deploys, forward));
    b.setId(id);
    b.setTooltipText(tooltip);
    b.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    return b;
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    QueryParameters query = event.getLocation().getQueryParameters();
    query.getSingleParameter("view").filter(Views::exists).ifPresent(v -> view = v);
    viewSelect.setValue(view);
    query.getSingleParameter("q").ifPresent(searchBox::setValue);
    query.getSingleParameter("ns").ifPresent(namespaceField::setValue);
    query.getSingleParameter("group").ifPresent(groupField::setValue);
    query.getSingleParameter("layout").filter(l -> List.of("auto", "layered", "force").contains(l))
        .ifPresent(l -> layout = l);
    layoutSelect.setValue(layout);
    graph.setLayout(layout);
    query.getSingleParameter("range").filter(RANGES::containsKey).ifPresent(r -> range = r);
    rangeSelect.setValue(range);
    query.getSingleParameter("from").flatMap(TopologyView::parseInstant).ifPresent(t -> customFrom.setValue(local(t)));
    query.getSingleParameter("to").flatMap(TopologyView::parseInstant).ifPresent(t -> customTo.setValue(local(t)));
    showCustomRange();
    tableShown = query.getSingleParameter("show").filter("table"::equals).isPresent();
    displaySelect.setValue(tableShown ? "table" : "graph");
    query.getSingleParameter("threshold").flatMap(TopologyView::parseInt).filter(t -> t > 0)
        .ifPresent(t -> threshold = t);
    thresholdField.setValue(threshold);
    selected = query.getSingleParameter("node").filter(s -> !s.isBlank()).orElse(null);
    Optional<Long> at = query.getSingleParameter("at").flatMap(TopologyView::parseInstant);
    live = at.isEmpty();
    travelled = at.isPresent();
    at.ifPresent(t -> shownAt = t);
    Optional<Long> cmp = query.getSingleParameter("cmp").flatMap(TopologyView::parseInstant);
    cmp.ifPresent(t -> {
      compare = true;
      compareAt = t;
      live = false;
    });
    updateFilter(false);
  }

  @Override
  protected void onAttach(AttachEvent event) {
    UI ui = event.getUI();
    ui.setPollInterval(POLL_INTERVAL_MS);
    pollRegistration = ui.addPollListener(e -> refresh());
    showCompareControls();
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

  /** One poll: follow the head while live, keep the timeline over the window always. */
  void refresh() {
    TimeRange retained = store.retained();
    boolean empty = retained.isEmpty();
    showEmptyState(empty);
    slider.setEnabled(!empty);
    liveButton.setEnabled(!empty);
    updateModeControls();
    if (empty) {
      graph.setGraph(Graph.EMPTY);
      drawn = Graph.EMPTY;
      counts.setText("0 nodes");
      timeLabel.setText("no data");
      rangeLabel.setText("Retained: nothing yet");
      return;
    }
    if (userIsDragging()) {
      return;
    }
    boolean firstDrawing = graph.shown() == null;
    if (live && retained.to() == shownAt && !firstDrawing) {
      // The head has not moved, so neither has the graph: spare the store a stateAt per poll.
      timeLabel.setText(InstantLabel.describe(shownAt, clock.millis(), true));
    } else if (live) {
      draw(retained.to(), false);
    } else if (firstDrawing) {
      // First drawing of a linked instant: one the store no longer holds (an old incident link)
      // shows the nearest retained instant instead, said once rather than on every poll.
      long at = shownAt == Long.MIN_VALUE ? retained.to() : shownAt;
      long clamped = clamp(at, retained);
      if (clamped != at) {
        notifyError("Cannot show " + InstantLabel.iso(at) + ": the store holds "
            + InstantLabel.iso(retained.from()) + " → " + InstantLabel.iso(retained.to())
            + "; showing " + InstantLabel.iso(clamped) + " instead");
      }
      draw(clamped, false);
    } else {
      timeLabel.setText(InstantLabel.describe(shownAt, clock.millis(), false));
    }
    rangeLabel.setText("Retained: " + InstantLabel.iso(retained.from()) + " → "
        + InstantLabel.iso(retained.to()) + " (" + InstantLabel.duration(retained.to() - retained.from()) + ")");
    if (timeline == null || ++pollsSinceTimeline >= TIMELINE_EVERY_POLLS) {
      refreshTimeline();
    } else {
      updateSliders(retained);
    }
    if (firstDrawing && compare) {
      showComparison();
    }
    if (firstDrawing && selected != null) {
      select(selected, false);
    }
  }

  /** The window the timeline spans: the chosen range up to the head, or the custom range. */
  long[] window(TimeRange retained) {
    long to = retained.to();
    long from = to - RANGES.getOrDefault(range, 3_600_000L);
    if ("custom".equals(range) && customFrom.getValue() != null) {
      from = customFrom.getValue().toInstant(ZoneOffset.UTC).toEpochMilli();
      if (customTo.getValue() != null) {
        to = Math.min(to, customTo.getValue().toInstant(ZoneOffset.UTC).toEpochMilli());
      }
    }
    from = Math.max(retained.from(), Math.min(from, to));
    to = Math.max(from, to);
    return new long[] {from, to};
  }

  /** Reads the histogram, markers and tape of the window again and hands them to the browser. */
  void refreshTimeline() {
    pollsSinceTimeline = 0;
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      return;
    }
    long[] w = window(retained);
    try {
      timeline = Timeline.read(store, events, filter, w[0], w[1], Timeline.BUCKETS);
    } catch (OutOfRetentionException e) {
      return; // retention moved under the read; the next poll reads a window inside it
    }
    timelineBar.show(timeline);
    if (!overThreshold()) {
      graph.setTape(timeline, timeline.position(shownAt));
    }
    updateSliders(retained);
  }

  /** By style, not setVisible: the inline display:flex would win over the hidden attribute. */
  private void showEmptyState(boolean show) {
    emptyState.getStyle().set("display", show ? "flex" : "none");
  }

  private void updateSliders(TimeRange retained) {
    long[] w = window(retained);
    long at = live ? w[1] : clamp(shownAt, new TimeRange(w[0], Math.max(w[1], shownAt)));
    TimeRange shown = new TimeRange(w[0], w[1]);
    if (!shown.equals(sliderRange) || at != sliderAt) {
      slider.show(w[0], Math.max(w[1], at), at);
      sliderRange = shown;
      sliderAt = at;
      sliderFrom = Long.MIN_VALUE;
    }
    if (compare && compareAt != Long.MIN_VALUE && sliderFrom != compareAt) {
      compareSlider.show(w[0], Math.max(w[1], at), compareAt);
      sliderFrom = compareAt;
    }
  }

  /**
   * The user is dragging the cursor: the browser moves the drawing along the tape. Polls leave the
   * graph, the instant label and the tape alone until the cursor is let go (or the drag has been
   * still for {@value #DRAG_HOLD_MS} ms); before, a live poll redrew the head under the pointer.
   */
  private void userDragsTheCursor() {
    draggedAt = clock.millis();
    if (live) {
      live = false;
      updateModeControls();
    }
  }

  private boolean userIsDragging() {
    return draggedAt != Long.MIN_VALUE && clock.millis() - draggedAt < DRAG_HOLD_MS;
  }

  /** The user let go of the cursor (or playback reported): stop following the head, show that instant. */
  private void travelTo(long at) {
    draggedAt = Long.MIN_VALUE;
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      return;
    }
    long clamped = clamp(at, retained);
    live = false;
    travelled = true;
    sliderAt = clamped;
    draw(clamped, true);
    if (compare) {
      showComparison();
    }
    updateModeControls();
    updateUrl();
  }

  private void compareTo(long at) {
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      return;
    }
    compareAt = clamp(at, retained);
    sliderFrom = compareAt;
    draw(shownAt, true);
    showComparison();
    updateUrl();
  }

  private void setLive(boolean live) {
    this.live = live;
    draggedAt = Long.MIN_VALUE;
    timelineBar.stop();
    if (live) {
      travelled = false;
      setCompare(false);
    } else if (shownAt == Long.MIN_VALUE) {
      shownAt = store.retained().to();
    }
    updateUrl();
    refresh();
  }

  private void play(int speed) {
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      return;
    }
    long[] w = window(retained);
    if (live || shownAt >= w[1] - 1000) {
      // Nothing lies ahead of the head: play the window from its start.
      travelTo(w[0]);
      updateSliders(retained);
    }
    live = false;
    travelled = true;
    timelineBar.play(speed);
    playing = speed;
    updateModeControls();
  }

  private void pause() {
    timelineBar.getElement().callJsFunction("stop", true);
    if (live) {
      setLive(false);
    }
  }

  private void jump(boolean deploys, boolean forward) {
    if (timeline == null) {
      return;
    }
    long from = live ? store.retained().to() : shownAt;
    List<Long> instants = deploys ? timeline.deployInstants() : timeline.bursts();
    OptionalLong target = Timeline.next(instants, from, forward);
    if (target.isEmpty()) {
      Notification.show("No " + (deploys ? "deploy" : "burst of changes") + (forward ? " after " : " before ")
          + InstantLabel.iso(from) + " in this range", 4000, Notification.Position.BOTTOM_CENTER);
      return;
    }
    timelineBar.stop();
    travelTo(target.getAsLong());
    updateSliders(store.retained());
  }

  private void setCompare(boolean on) {
    if (on == compare) {
      return;
    }
    compare = on;
    if (on) {
      TimeRange retained = store.retained();
      if (retained.isEmpty()) {
        compare = false;
        return;
      }
      long[] w = window(retained);
      if (live) {
        live = false;
        travelled = true;
        shownAt = retained.to();
      }
      // The second cursor starts halfway back to the window's start; drag it to the instant wanted.
      compareAt = w[0] + (shownAt - w[0]) / 2;
      sliderFrom = Long.MIN_VALUE;
      draw(shownAt, true);
      showComparison();
      updateSliders(retained);
    } else {
      compareAt = Long.MIN_VALUE;
      if (graph.shown() != null && !live) {
        draw(shownAt, true);
      }
    }
    showCompareControls();
    updateModeControls();
    updateUrl();
  }

  private void showCompareControls() {
    compareSlider.getStyle().set("display", compare ? "block" : "none");
    compareList.setVisible(compare);
    compareButton.setText(compare ? "End compare" : "Compare");
    if (compare) {
      compareButton.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    } else {
      compareButton.removeThemeVariants(ButtonVariant.LUMO_PRIMARY);
    }
  }

  /**
   * The drawing shows the earlier of the two instants, plus the later one's additions in green,
   * its removals in red and its changes in amber; the list beside it names them.
   */
  private void showComparison() {
    if (!compare || compareAt == Long.MIN_VALUE || shownAt == Long.MIN_VALUE) {
      return;
    }
    long earlier = Math.min(shownAt, compareAt);
    long later = Math.max(shownAt, compareAt);
    ChangeSet diff;
    try {
      Graph before = filter.render(store.stateAt(earlier), store.metrics(), earlier);
      Graph after = filter.render(store.stateAt(later), store.metrics(), later);
      diff = ChangeSet.between(later, before, after);
      if (earlier != shownAt) {
        graph.setGraph(before, -1, true);
      }
    } catch (OutOfRetentionException e) {
      notifyError("Cannot compare: " + e.getMessage());
      return;
    }
    graph.showCompare(diff);
    compareList.setItems(DiffRow.of(diff));
    timeLabel.setText(InstantLabel.iso(earlier) + " ⇄ " + InstantLabel.iso(later) + " · "
        + DiffRow.summary(diff));
  }

  /** Reads the search and filter fields; a malformed one is marked and leaves the drawing as it was. */
  private void applyFilters() {
    if (updateFilter(true)) {
      redraw();
      graph.fit();
      refreshTimeline();
      updateUrl();
    }
  }

  private boolean updateFilter(boolean notify) {
    SearchQuery search;
    try {
      search = SearchQuery.parse(searchBox.getValue());
      searchBox.setInvalid(false);
    } catch (IllegalArgumentException e) {
      searchBox.setErrorMessage(e.getMessage());
      searchBox.setInvalid(true);
      return false;
    }
    String ns = namespaceField.getValue() == null ? "" : namespaceField.getValue().trim();
    if (!ns.isEmpty() && !NAMESPACE.matcher(ns).matches()) {
      namespaceField.setErrorMessage("not a Kubernetes namespace name (lower-case letters, digits and '-')");
      namespaceField.setInvalid(true);
      return false;
    }
    namespaceField.setInvalid(false);
    String group = groupField.getValue() == null ? "" : groupField.getValue().trim();
    if (!group.isEmpty() && !LABEL_KEY.matcher(group).matches()) {
      groupField.setErrorMessage("not a label key (letters, digits, '.', '_', '-', '/')");
      groupField.setInvalid(true);
      return false;
    }
    groupField.setInvalid(false);
    filter = new FilteredView(view, ns, group, search);
    return true;
  }

  /** Redraws the instant shown, e.g. after a view or filter change. */
  private void redraw() {
    TimeRange retained = store.retained();
    if (!retained.isEmpty()) {
      draw(live || shownAt == Long.MIN_VALUE ? retained.to() : shownAt, true);
      if (compare) {
        showComparison();
      }
    }
  }

  private void draw(long at, boolean force) {
    Graph world;
    try {
      world = store.stateAt(at);
    } catch (OutOfRetentionException e) {
      // Retention moved past the instant between reading the range and asking for it.
      notifyError("Cannot show " + InstantLabel.iso(at) + ": " + e.getMessage());
      sliderAt = Long.MIN_VALUE; // put the thumb back on what is still shown
      return;
    }
    Graph g = filter.render(world, store.metrics(), at);
    drawnWorld = world;
    drawn = g;
    shownAt = at;
    boolean fallback = g.nodes().size() > threshold;
    boolean showTable = tableShown || fallback;
    notice.setText(fallback ? g.nodes().size() + " nodes are more than " + threshold
        + ": showing the table. Group by a label, filter, or raise the threshold to draw the graph." : "");
    offerCoarserView(fallback, world, at);
    table.setVisible(showTable);
    graph.getStyle().set("visibility", showTable ? "hidden" : "visible");
    if (showTable) {
      table.setItems(new ArrayList<>(g.nodes().values()));
    }
    int position = timeline == null ? -1 : timeline.position(at);
    graph.setGraph(fallback ? Graph.EMPTY : g, position, force);
    counts.setText(plural(g.nodes().size(), "node") + " · " + plural(g.edges().size(), "edge"));
    timeLabel.setText(InstantLabel.describe(at, clock.millis(), live));
    if (selected != null) {
      Node n = g.node(selected);
      if (n != null) {
        details.show(n, g, world, at);
      }
    }
  }

  /** Over the threshold, a button to the coarser view of the same filters, saying how many nodes it draws. */
  private void offerCoarserView(boolean fallback, Graph world, long at) {
    String coarser = fallback ? COARSER.get(view) : null;
    if (coarser == null) {
      groupSuggestion.setVisible(false);
      return;
    }
    int nodes = new FilteredView(coarser, filter.namespace(), filter.groupBy(), filter.search())
        .render(world, store.metrics(), at).nodes().size();
    groupSuggestion.setText("Show " + viewTitle(coarser).toLowerCase(java.util.Locale.ROOT) + " ("
        + plural(nodes, "node") + ")");
    groupSuggestion.setVisible(true);
  }

  private boolean overThreshold() {
    return drawn.nodes().size() > threshold;
  }

  /** Selects a node (null: none) and shows its details; {@code fromUser} records it in the URL. */
  private void select(String id, boolean fromUser) {
    selected = id;
    Node n = id == null ? null : drawn.node(id);
    details.setVisible(n != null);
    if (n != null) {
      details.show(n, drawn, drawnWorld, shownAt);
    }
    if (!fromUser) {
      graph.select(id);
    }
    if (fromUser) {
      updateUrl();
    }
  }

  Mode mode() {
    if (live) {
      return Mode.LIVE;
    }
    return travelled ? Mode.TIME_TRAVEL : Mode.PAUSED;
  }

  private void updateModeControls() {
    Mode mode = mode();
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
    modeLabel.setText(switch (mode) {
      case LIVE -> "Live";
      case PAUSED -> "Paused";
      case TIME_TRAVEL -> playing > 0 ? "Time travel ▶ " + playing + "×" : compare ? "Compare" : "Time travel";
    });
    modeLabel.getElement().setAttribute("data-mode", mode.name().toLowerCase(java.util.Locale.ROOT));
  }

  private void updateUrl() {
    getUI().ifPresent(ui -> ui.getPage().getHistory()
        .replaceState(null, new Location("", QueryParameters.simple(urlParameters()))));
  }

  /** Everything a shared link needs to show this screen again. */
  Map<String, String> urlParameters() {
    Map<String, String> params = new LinkedHashMap<>();
    if (!Views.PROCESSES.equals(view)) {
      params.put("view", view);
    }
    if (!live && shownAt != Long.MIN_VALUE) {
      params.put("at", Instant.ofEpochMilli(shownAt).toString());
    }
    if (compare && compareAt != Long.MIN_VALUE) {
      params.put("cmp", Instant.ofEpochMilli(compareAt).toString());
    }
    putIfSet(params, "q", searchBox.getValue());
    putIfSet(params, "ns", namespaceField.getValue());
    putIfSet(params, "group", groupField.getValue());
    if (!"1h".equals(range)) {
      params.put("range", range);
      if ("custom".equals(range) && customFrom.getValue() != null) {
        params.put("from", customFrom.getValue().toInstant(ZoneOffset.UTC).toString());
        if (customTo.getValue() != null) {
          params.put("to", customTo.getValue().toInstant(ZoneOffset.UTC).toString());
        }
      }
    }
    if (!"auto".equals(layout)) {
      params.put("layout", layout);
    }
    if (tableShown) {
      params.put("show", "table");
    }
    if (threshold != DEFAULT_THRESHOLD) {
      params.put("threshold", String.valueOf(threshold));
    }
    if (selected != null) {
      params.put("node", selected);
    }
    return params;
  }

  private void showCustomRange() {
    boolean custom = "custom".equals(range);
    customFrom.setVisible(custom);
    customTo.setVisible(custom);
  }

  private long degree(String id) {
    long d = 0;
    for (Edge e : drawn.edges().values()) {
      if (e.source().equals(id) || e.target().equals(id)) {
        d++;
      }
    }
    return d;
  }

  private void notifyError(String message) {
    Notification n = Notification.show(message, 8000, Notification.Position.TOP_CENTER);
    n.addThemeVariants(NotificationVariant.LUMO_ERROR);
  }

  private static void putIfSet(Map<String, String> params, String key, String value) {
    if (value != null && !value.isBlank()) {
      params.put(key, value.trim());
    }
  }

  private static long clamp(long at, TimeRange range) {
    return Math.max(range.from(), Math.min(range.to(), at));
  }

  private static LocalDateTime local(long at) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.UTC);
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

  private static Optional<Integer> parseInt(String s) {
    try {
      return Optional.of(Integer.parseInt(s.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String viewTitle(String view) {
    String words = view.replace('-', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  static String rangeTitle(String range) {
    return switch (range) {
      case "15m" -> "15 min";
      case "1h" -> "1 hour";
      case "6h" -> "6 hours";
      case "1d" -> "1 day";
      case "7d" -> "7 days";
      default -> "Custom";
    };
  }

  private static Map<String, Long> rangesInOrder() {
    Map<String, Long> r = new LinkedHashMap<>();
    r.put("15m", 15 * 60_000L);
    r.put("1h", 3_600_000L);
    r.put("6h", 6 * 3_600_000L);
    r.put("1d", 24 * 3_600_000L);
    r.put("7d", 7 * 24 * 3_600_000L);
    r.put("custom", 3_600_000L);
    return java.util.Collections.unmodifiableMap(r);
  }

  private static String label(Node n) {
    return n.label() == null || n.label().isBlank() ? n.id() : n.label();
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
