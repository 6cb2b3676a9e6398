package io.chronoscope.ui;

import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.ViewOptions;
import io.chronoscope.topology.Views;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the explorer draws of a world graph: a view with the API's filters (namespace, label
 * selector, grouping) and the search box. Label requirements typed into the search join the view's
 * selector; the other search terms then keep the matching nodes and the edges between them.
 */
record FilteredView(String view, String namespace, String groupBy, SearchQuery search) {
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
    Graph g = Views.render(view, world, options()).orElse(Graph.EMPTY);
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

  /** The label selector typed into the search, for messages. */
  Labels.Selector selector() {
    return search.labelSelector();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
