package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.model.NodeIds;
import io.chronoscope.store.MetricStore;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /api/v1/nodes/{id}?at=}: one node of the world graph at an instant, with its parents
 * (host, pod, container), its children, and the connections of the processes it holds.
 */
@Controller("/api/v1/nodes")
public class NodeController {
  static final int DEFAULT_LIMIT = 500;
  static final int MAX_LIMIT = 5_000;

  /** How far back a metric's latest sample may lie and still describe the node at the instant. */
  static final long METRIC_WINDOW_MS = 60_000;

  private final StateAt stateAt;
  private final MetricStore metrics;
  private final Clock clock;

  public NodeController(TopologyStore store, Clock clock) {
    this.stateAt = new StateAt(store);
    this.metrics = store.metrics();
    this.clock = clock;
  }

  /**
   * One peer of the node's processes. {@code direction} is {@code outbound} when the node's side is
   * the client; bytes are counted from the node's side.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ConnectionSummary(String direction, String process, Node peer, long connections,
      long bytesSent, long bytesReceived) {}

  /** Lists are cut at {@code limit}; the totals say how many there were. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record NodeResponse(String at, Node node, List<Node> parents, List<Node> children,
      int childrenTotal, List<ConnectionSummary> connections, int connectionsTotal, Map<String, Double> metrics) {}

  // {+id}: pseudo-node ids hold a '/' (remote;10.64.3.0/24)
  @Get("/{+id}")
  public NodeResponse node(@PathVariable String id, @Nullable @QueryValue String at,
      @Nullable @QueryValue String limit) {
    int max = limit(limit);
    long now = clock.millis();
    long instant = Instants.parse("at", at, now);
    Graph world = stateAt.world("at", instant, now);
    Node node = world.node(id);
    if (node == null) {
      throw new ApiException(HttpStatus.NOT_FOUND, "id", "no node '" + id + "' at " + Instant.ofEpochMilli(instant));
    }
    List<Node> children = children(world, node);
    List<ConnectionSummary> connections = connections(world, node);
    return new NodeResponse(Instant.ofEpochMilli(instant).toString(), node, parents(world, node),
        children.subList(0, Math.min(max, children.size())), children.size(),
        connections.subList(0, Math.min(max, connections.size())), connections.size(), latestMetrics(id, instant));
  }

  /** Each metric's latest sample in the minute up to the instant: the summary the details panel shows. */
  private Map<String, Double> latestMetrics(String id, long at) {
    Map<String, Double> latest = new TreeMap<>();
    for (String metric : metrics.metricsOf(id)) {
      List<MetricStore.Point> points = metrics.series(id, metric, at - METRIC_WINDOW_MS, at, 0);
      if (!points.isEmpty()) {
        latest.put(metric, points.get(points.size() - 1).value());
      }
    }
    return latest;
  }

  private static int limit(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below with the allowed range
    }
    throw ApiException.badParameter("limit", "limit '" + value + "' must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** Outermost first: host, pod, container. */
  private static List<Node> parents(Graph world, Node node) {
    List<Node> parents = new ArrayList<>();
    if (!Kinds.HOST.equals(node.kind()) && node.attrs().get("host") != null) {
      parents.add(world.node(NodeIds.host(String.valueOf(node.attrs().get("host")))));
    }
    for (String attr : List.of("pod", "container")) {
      if (node.attrs().get(attr) != null) {
        parents.add(world.node(String.valueOf(node.attrs().get(attr))));
      }
    }
    parents.removeIf(Objects::isNull);
    return parents;
  }

  /**
   * The next level down: a host's pods, its containers outside pods and its processes outside
   * containers; a pod's containers; a container's processes; a process's child processes.
   */
  private static List<Node> children(Graph world, Node node) {
    Object host = node.attrs().get("host");
    List<Node> children = new ArrayList<>();
    for (Node n : world.nodes().values()) {
      boolean child = switch (node.kind()) {
        case Kinds.HOST -> Objects.equals(host, n.attrs().get("host")) && (Kinds.POD.equals(n.kind())
            || (Kinds.CONTAINER.equals(n.kind()) && !n.attrs().containsKey("pod"))
            || (Kinds.PROCESS.equals(n.kind()) && !n.attrs().containsKey("container")));
        case Kinds.POD -> Kinds.CONTAINER.equals(n.kind()) && node.id().equals(n.attrs().get("pod"));
        case Kinds.CONTAINER -> Kinds.PROCESS.equals(n.kind()) && node.id().equals(n.attrs().get("container"));
        case Kinds.PROCESS -> Kinds.PROCESS.equals(n.kind()) && Objects.equals(host, n.attrs().get("host"))
            && Objects.equals(node.attrs().get("pid"), n.attrs().get("ppid"));
        default -> false;
      };
      if (child) {
        children.add(n);
      }
    }
    return children;
  }

  private static List<ConnectionSummary> connections(Graph world, Node node) {
    Set<String> own = new HashSet<>();
    if (Kinds.PROCESS.equals(node.kind()) || Kinds.REMOTE.equals(node.kind())) {
      own.add(node.id());
    } else {
      for (Node n : world.nodes().values()) {
        if (Kinds.PROCESS.equals(n.kind()) && holds(node, n)) {
          own.add(n.id());
        }
      }
    }
    List<ConnectionSummary> out = new ArrayList<>();
    for (Edge e : world.edges().values()) {
      long count = number(e, "connections");
      long clientSent = number(e, "bytesSent");
      long clientReceived = number(e, "bytesReceived");
      if (own.contains(e.source())) {
        out.add(new ConnectionSummary("outbound", e.source(), world.node(e.target()), count, clientSent, clientReceived));
      }
      if (own.contains(e.target())) {
        out.add(new ConnectionSummary("inbound", e.target(), world.node(e.source()), count, clientReceived, clientSent));
      }
    }
    return out;
  }

  private static boolean holds(Node parent, Node process) {
    return switch (parent.kind()) {
      case Kinds.HOST -> Objects.equals(parent.attrs().get("host"), process.attrs().get("host"));
      case Kinds.POD -> parent.id().equals(process.attrs().get("pod"));
      case Kinds.CONTAINER -> parent.id().equals(process.attrs().get("container"));
      default -> false;
    };
  }

  private static long number(Edge e, String attr) {
    return e.attrs().get(attr) instanceof Number n ? n.longValue() : 0;
  }
}
