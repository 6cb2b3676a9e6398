package io.chronoscope.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The selected node: its attributes, the nodes it runs in (host, pod, container) and those running
 * in it, and its connections in the view drawn, with connection counts, bytes and RTT.
 */
final class DetailsPanel extends VerticalLayout {
  static final int MAX_CHILDREN = 50;
  private static final List<String> PARENT_ATTRS = List.of("host", "pod", "container");

  static final long SPARKLINE_RANGE_MS = 3_600_000;
  /** Sparklines are fetched again when the node changes or the instant moves this far. */
  static final long SPARKLINE_REFRESH_MS = 30_000;

  private final Div body = new Div();
  private final MetricsChart sparklines = new MetricsChart();
  private String sparklineNode;
  private long sparklineAt;

  DetailsPanel(Runnable close) {
    setId("details-panel");
    setPadding(true);
    setSpacing(false);
    setWidth("360px");
    setHeightFull();
    getStyle().set("overflow", "auto").set("flex", "0 0 360px")
        .set("border-left", "1px solid var(--lumo-contrast-20pct)").set("font-size", "var(--lumo-font-size-s)");
    Button closeButton = new Button("✕", e -> close.run());
    closeButton.setId("details-close");
    closeButton.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
    closeButton.setTooltipText("Close the details");
    closeButton.getStyle().set("align-self", "flex-end");
    body.setWidthFull();
    add(closeButton, body);
  }

  /** @param drawn the view graph the node belongs to; @param world the world graph at the same instant */
  void show(Node node, Graph drawn, Graph world, long at) {
    body.removeAll();
    H3 title = new H3(node.label() == null || node.label().isBlank() ? node.id() : node.label());
    title.setId("details-title");
    title.getStyle().set("margin", "0");
    body.add(title, line("kind", node.kind()), line("id", node.id()));

    body.add(heading("Attributes"));
    Div attrs = new Div();
    attrs.setId("details-attributes");
    node.attrs().forEach((k, v) -> attrs.add(line(k, String.valueOf(v))));
    if (node.attrs().isEmpty()) {
      attrs.add(new Span("none"));
    }
    body.add(attrs);

    Node worldNode = world.node(node.id());
    Node source = worldNode != null ? worldNode : node;
    body.add(heading("Parents"));
    Div parents = new Div();
    parents.setId("details-parents");
    for (String key : PARENT_ATTRS) {
      if (source.attrs().get(key) instanceof String parentId && world.node(parentId) != null) {
        Node p = world.node(parentId);
        parents.add(line(p.kind(), label(p)));
      }
    }
    if (parents.getChildren().findAny().isEmpty()) {
      parents.add(new Span("none"));
    }
    body.add(parents);

    List<Node> children = children(world, source);
    body.add(heading("Children (" + children.size() + ")"));
    Div kids = new Div();
    kids.setId("details-children");
    children.stream().limit(MAX_CHILDREN).forEach(c -> kids.add(line(c.kind(), label(c))));
    if (children.size() > MAX_CHILDREN) {
      kids.add(new Span("… and " + (children.size() - MAX_CHILDREN) + " more"));
    }
    body.add(kids);

    body.add(heading("Connections"));
    Div conns = new Div();
    conns.setId("details-connections");
    for (Edge e : drawn.edges().values()) {
      boolean out = e.source().equals(node.id());
      if (!out && !e.target().equals(node.id())) {
        continue;
      }
      Node peer = drawn.node(out ? e.target() : e.source());
      conns.add(line((out ? "→ " : "← ") + (peer == null ? (out ? e.target() : e.source()) : label(peer)),
          connectionSummary(e.attrs())));
    }
    if (conns.getChildren().findAny().isEmpty()) {
      conns.add(new Span("none"));
    }
    body.add(conns);

    body.add(heading("Metrics, last hour"));
    sparklines.setId("details-sparklines");
    sparklines.setCompact(true);
    sparklines.setWidthFull();
    body.add(sparklines);
    if (!node.id().equals(sparklineNode) || Math.abs(at - sparklineAt) > SPARKLINE_REFRESH_MS) {
      sparklineNode = node.id();
      sparklineAt = at;
      sparklines.load(node.id(), at - SPARKLINE_RANGE_MS, at);
    }
    Anchor metrics = new Anchor("charts?node=" + URLEncoder.encode(node.id(), StandardCharsets.UTF_8),
        "CPU, memory and traffic over time →");
    metrics.setId("details-metrics-link");
    body.add(metrics);
  }

  private static List<Node> children(Graph world, Node node) {
    List<Node> children = new ArrayList<>();
    for (Node n : world.nodes().values()) {
      if (n.id().equals(node.id())) {
        continue;
      }
      for (String key : PARENT_ATTRS) {
        if (node.id().equals(n.attrs().get(key))) {
          children.add(n);
          break;
        }
      }
    }
    return children;
  }

  static String connectionSummary(Map<String, Object> attrs) {
    StringBuilder s = new StringBuilder();
    s.append(attrs.getOrDefault("connections", 1)).append(" conn");
    if (attrs.get("bytesSent") instanceof Number sent) {
      s.append(" · sent ").append(bytes(sent.longValue()));
    }
    if (attrs.get("bytesReceived") instanceof Number received) {
      s.append(" · received ").append(bytes(received.longValue()));
    }
    for (String key : List.of("rttUs", "rtt")) {
      if (attrs.get(key) instanceof Number rtt) {
        s.append(" · RTT ").append(rtt).append(key.equals("rttUs") ? " µs" : "");
      }
    }
    return s.toString();
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
  }

  private static String label(Node n) {
    return n.label() == null || n.label().isBlank() ? n.id() : n.label();
  }

  private static H4 heading(String text) {
    H4 h = new H4(text);
    h.getStyle().set("margin", "var(--lumo-space-s) 0 var(--lumo-space-xs)");
    return h;
  }

  private static Div line(String key, String value) {
    Span k = new Span(key);
    k.getStyle().set("color", "var(--lumo-secondary-text-color)").set("margin-right", "0.5em");
    Span v = new Span(value);
    v.getStyle().set("word-break", "break-all");
    return new Div(k, v);
  }
}
