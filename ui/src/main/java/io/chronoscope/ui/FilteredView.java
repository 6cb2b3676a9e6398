package io.chronoscope.ui;

import io.chronoscope.store.MetricStore;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.ViewOptions;
import io.chronoscope.topology.Views;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the explorer draws of a world graph: a view with the API's filters (namespace, label
 * selector, grouping) and the search box. Label requirements typed into the search join the view's
 * selector; the other search terms then keep the matching nodes and the edges between them.
 */
record FilteredView(String view, String namespace, String groupBy, SearchQuery search) {
  static final long METRIC_LOOKBACK_MS = 120_000;

  FilteredView {
    namespace = blankToNull(namespace);
    groupBy = blankToNull(groupBy);
    search = search == null ? SearchQuery.EMPTY : search;
  }

  static FilteredView of(String view) {
    return new FilteredView(view, null, null, SearchQuery.EMPTY);
  }

  ViewOptions options() {
    return new ViewOptions(namespace, search.labelSelector(), Set.of(), groupBy);
  }

  Graph render(Graph world) {
    return render(world, null, 0);
  }

  /**
   * Renders the view at {@code at}; metric comparisons in the search read each node's latest
   * sample before {@code at} from {@code metrics} (null: none, so they match nothing).
   */
  Graph render(Graph world, MetricStore metrics, long at) {
    Graph g = Views.render(view, world, options()).orElse(Graph.EMPTY);
    Set<String> metricNames = search.metricNames();
    if (metrics != null && !metricNames.isEmpty()) {
      g = withLatestMetrics(g, metrics, metricNames, at);
    }
    if (search.isEmpty() || search.labelSelector() != null && search.terms().stream()
        .allMatch(t -> t instanceof SearchQuery.LabelMatch)) {
      return g;
    }
    Predicate<Node> keep = search.nodeTerms();
    List<Node> nodes = g.nodes().values().stream().filter(keep).toList();
    Set<String> ids = nodes.stream().map(Node::id).collect(Collectors.toSet());
    List<Edge> edges = new ArrayList<>();
    for (Edge e : g.edges().values()) {
      if (ids.contains(e.source()) && ids.contains(e.target())) {
        edges.add(e);
      }
    }
    return Graph.of(nodes, edges);
  }

  /** Copies the latest value of each metric (within two minutes before {@code at}) into the nodes' attributes. */
  private static Graph withLatestMetrics(Graph g, MetricStore metrics, Set<String> names, long at) {
    List<Node> nodes = new ArrayList<>(g.nodes().size());
    for (Node n : g.nodes().values()) {
      Map<String, Object> attrs = null;
      for (String name : names) {
        List<MetricStore.Point> points = metrics.series(n.id(), name, at - METRIC_LOOKBACK_MS, at, 0);
        if (!points.isEmpty()) {
          if (attrs == null) {
            attrs = new HashMap<>(n.attrs());
          }
          attrs.put(name, points.get(points.size() - 1).value());
        }
      }
      nodes.add(attrs == null ? n : new Node(n.id(), n.kind(), n.label(), attrs));
    }
    return Graph.of(nodes, g.edges().values());
  }

  /** The label selector typed into the search, for messages. */
  Labels.Selector selector() {
    return search.labelSelector();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
