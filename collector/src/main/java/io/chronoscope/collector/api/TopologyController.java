package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.ViewOptions;
import io.chronoscope.topology.Views;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The topology of a view at an instant, and the difference between two instants; both filtered
 * by {@code namespace}, {@code selector}, {@code hide} and grouped by {@code group} (a label key).
 */
@Controller("/api/v1/topology")
public class TopologyController {
  private final StateAt stateAt;
  private final Clock clock;

  public TopologyController(TopologyStore store, Clock clock) {
    this.stateAt = new StateAt(store);
    this.clock = clock;
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record TopologyResponse(String view, String at, List<Node> nodes, List<Edge> edges) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Section<N, E>(List<N> nodes, List<E> edges) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record DiffResponse(String view, String from, String to,
      Section<Node, Edge> added, Section<Node, Edge> removed,
      Section<ChangeSet.Change<Node>, ChangeSet.Change<Edge>> changed) {}

  @Get("/{view}")
  public TopologyResponse topology(@PathVariable String view, @Nullable @QueryValue String at,
      @Nullable @QueryValue String namespace, @Nullable @QueryValue String selector,
      @Nullable @QueryValue String hide, @Nullable @QueryValue String group) {
    checkView(view);
    ViewOptions options = ViewQuery.parse(namespace, selector, hide, group);
    long now = clock.millis();
    long instant = Instants.parse("at", at, now);
    Graph g = render(view, stateAt.world("at", instant, now), options);
    return new TopologyResponse(view, Instant.ofEpochMilli(instant).toString(),
        List.copyOf(g.nodes().values()), List.copyOf(g.edges().values()));
  }

  @Get("/{view}/diff")
  public DiffResponse diff(@PathVariable String view, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to, @Nullable @QueryValue String namespace,
      @Nullable @QueryValue String selector, @Nullable @QueryValue String hide,
      @Nullable @QueryValue String group) {
    checkView(view);
    ViewOptions options = ViewQuery.parse(namespace, selector, hide, group);
    long now = clock.millis();
    if (from == null || from.isBlank()) {
      throw ApiException.badParameter("from", "from is required (RFC 3339 or epoch milliseconds)");
    }
    long fromAt = Instants.parse("from", from, now);
    long toAt = Instants.parse("to", to, now);
    if (fromAt > toAt) {
      throw ApiException.badParameter("from", "from (" + Instant.ofEpochMilli(fromAt)
          + ") is after to (" + Instant.ofEpochMilli(toAt) + ")");
    }
    Graph before = render(view, stateAt.world("from", fromAt, now), options);
    Graph after = render(view, stateAt.world("to", toAt, now), options);
    ChangeSet d = ChangeSet.between(toAt, before, after);
    return new DiffResponse(view, Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        new Section<>(d.addedNodes(), d.addedEdges()),
        new Section<>(d.removedNodes(), d.removedEdges()),
        new Section<>(d.changedNodes(), d.changedEdges()));
  }

  private static void checkView(String view) {
    if (!Views.exists(view)) {
      throw new ApiException(HttpStatus.NOT_FOUND, "view",
          "unknown view '" + view + "'; known views: " + String.join(", ", Views.names()));
    }
  }

  private static Graph render(String view, Graph world, ViewOptions options) {
    return Views.render(view, world, options).orElseThrow();
  }
}
