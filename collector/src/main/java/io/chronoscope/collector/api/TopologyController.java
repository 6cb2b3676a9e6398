package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The topology of a view at an instant, and the difference between two instants. */
@Controller("/api/v1/topology")
public class TopologyController {
  /** Requests a little ahead of now are "now": clocks of browser and server differ slightly. */
  private static final long FUTURE_TOLERANCE_MS = 5_000;

  private final TopologyStore store;
  private final Clock clock;

  public TopologyController(TopologyStore store, Clock clock) {
    this.store = store;
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
  public TopologyResponse topology(@PathVariable String view, @Nullable @QueryValue String at) {
    checkView(view);
    long now = clock.millis();
    long instant = Instants.parse("at", at, now);
    Graph g = render(view, stateAt("at", instant, now));
    return new TopologyResponse(view, Instant.ofEpochMilli(instant).toString(),
        List.copyOf(g.nodes().values()), List.copyOf(g.edges().values()));
  }

  @Get("/{view}/diff")
  public DiffResponse diff(@PathVariable String view, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to) {
    checkView(view);
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
    Graph before = render(view, stateAt("from", fromAt, now));
    Graph after = render(view, stateAt("to", toAt, now));
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

  private static Graph render(String view, Graph world) {
    return Views.render(view, world).orElseThrow();
  }

  private Graph stateAt(String parameter, long at, long now) {
    TimeRange retained = store.retained();
    try {
      if (at > now + FUTURE_TOLERANCE_MS) {
        throw new OutOfRetentionException(at, retained.isEmpty() ? retained : new TimeRange(retained.from(), now));
      }
      return store.stateAt(at);
    } catch (OutOfRetentionException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      if (!retained.isEmpty()) {
        details.put("retained", Map.of(
            "from", Instant.ofEpochMilli(retained.from()).toString(),
            "to", Instant.ofEpochMilli(Math.max(retained.to(), now)).toString()));
      }
      throw new ApiException(HttpStatus.NOT_FOUND, parameter, e.getMessage(), details);
    }
  }
}
