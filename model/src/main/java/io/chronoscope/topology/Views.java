package io.chronoscope.topology;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Views are projections of the world graph, computed on read (Weave Scope's renderers): the store
 * keeps only the finest-grained graph and every view is derived from it at any instant.
 */
public final class Views {
  public static final String PROCESSES = "processes";
  public static final String PROCESSES_BY_NAME = "processes-by-name";
  public static final String HOSTS = "hosts";

  private static final Map<String, Function<Graph, Graph>> RENDERERS = new LinkedHashMap<>();

  static {
    RENDERERS.put(PROCESSES, Views::processes);
    RENDERERS.put(PROCESSES_BY_NAME, Views::processesByName);
    RENDERERS.put(HOSTS, Views::hosts);
  }

  private Views() {}

  public static List<String> names() {
    return List.copyOf(RENDERERS.keySet());
  }

  public static boolean exists(String view) {
    return RENDERERS.containsKey(view);
  }

  /** Renders {@code view} from the world graph, or empty when no such view exists. */
  public static Optional<Graph> render(String view, Graph world) {
    Function<Graph, Graph> r = RENDERERS.get(view);
    return r == null ? Optional.empty() : Optional.of(r.apply(world));
  }

  static Graph processes(Graph world) {
    Graph.Builder b = Graph.builder();
    world.nodes().values().stream()
        .filter(n -> Kinds.PROCESS.equals(n.kind()) || Kinds.REMOTE.equals(n.kind()))
        .forEach(b::node);
    world.edges().values().forEach(b::edge);
    return b.build();
  }

  static Graph processesByName(Graph world) {
    return groupBy(world, n -> {
      if (!Kinds.PROCESS.equals(n.kind())) {
        return Kinds.REMOTE.equals(n.kind()) ? n : null;
      }
      String host = String.valueOf(n.attrs().get("host"));
      String comm = String.valueOf(n.attrs().get("comm"));
      Map<String, Object> attrs = new HashMap<>();
      attrs.put("host", host);
      attrs.put("hostname", n.attrs().get("hostname"));
      attrs.put("comm", comm);
      return new Node(host + ";<name>;" + comm, Kinds.PROCESS_GROUP, comm, attrs);
    });
  }

  static Graph hosts(Graph world) {
    Map<String, Node> hostsById = new HashMap<>();
    world.nodes().values().stream()
        .filter(n -> Kinds.HOST.equals(n.kind()))
        .forEach(n -> hostsById.put(String.valueOf(n.attrs().get("host")), n));
    return groupBy(world, n -> {
      if (Kinds.HOST.equals(n.kind())) {
        return n;
      }
      if (Kinds.PROCESS.equals(n.kind())) {
        return hostsById.get(String.valueOf(n.attrs().get("host")));
      }
      return Kinds.REMOTE.equals(n.kind()) ? n : null;
    });
  }

  /**
   * Maps each node to a group node (null drops it) and folds edges onto the groups, counting how
   * many finer edges each group edge stands for. Edges inside one group are dropped.
   */
  static Graph groupBy(Graph world, Function<Node, Node> groupOf) {
    Map<String, Node> groupOfNode = new HashMap<>();
    Map<String, Long> members = new HashMap<>();
    Map<String, Node> groups = new LinkedHashMap<>();
    for (Node n : world.nodes().values()) {
      Node g = groupOf.apply(n);
      if (g == null) {
        continue;
      }
      groupOfNode.put(n.id(), g);
      groups.putIfAbsent(g.id(), g);
      if (!g.id().equals(n.id())) {
        members.merge(g.id(), 1L, Long::sum);
      }
    }
    Graph.Builder b = Graph.builder();
    groups.values().forEach(g -> {
      Long count = members.get(g.id());
      if (count == null) {
        b.node(g);
      } else {
        Map<String, Object> attrs = new HashMap<>(g.attrs());
        attrs.put("members", count);
        b.node(new Node(g.id(), g.kind(), g.label(), attrs));
      }
    });
    Map<String, long[]> edgeCounts = new LinkedHashMap<>();
    Map<String, String[]> edgeEnds = new HashMap<>();
    for (Edge e : world.edges().values()) {
      Node s = groupOfNode.get(e.source());
      Node t = groupOfNode.get(e.target());
      if (s == null || t == null || s.id().equals(t.id())) {
        continue;
      }
      long weight = e.attrs().get("connections") instanceof Long l ? l : 1L;
      String key = Edge.key(s.id(), t.id());
      edgeEnds.putIfAbsent(key, new String[] {s.id(), t.id()});
      edgeCounts.computeIfAbsent(key, k -> new long[1])[0] += weight;
    }
    edgeCounts.forEach((key, count) -> {
      String[] ends = edgeEnds.get(key);
      b.edge(new Edge(ends[0], ends[1], Map.of("connections", count[0])));
    });
    return b.build();
  }
}
