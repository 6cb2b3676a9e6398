package io.chronoscope.store;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A world graph that changes like a busy cluster: every tick a share of the processes exits and as
 * many new ones start, and the CPU and memory figures of a few survivors move. Deterministic for a
 * seed, so a store test can compare what it reads back with what it appended.
 */
public final class ChurningWorld {
  private final Random random;
  private final double churn;
  private final int edgesPerNode;
  private Graph graph;
  private int nextPid;

  /**
   * @param nodes        processes in the world
   * @param churn        share of processes replaced each tick (0.01 = 1 %)
   * @param edgesPerNode connections each process opens to random others
   */
  public ChurningWorld(long seed, int nodes, double churn, int edgesPerNode) {
    this.random = new Random(seed);
    this.churn = churn;
    this.edgesPerNode = edgesPerNode;
    Graph.Builder b = Graph.builder();
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      Node n = process();
      b.node(n);
      started.add(n);
    }
    graph = b.build();
    Graph.Builder withEdges = graph.toBuilder();
    List<String> all = new ArrayList<>(graph.nodes().keySet());
    started.forEach(n -> connect(withEdges, n, all, false));
    graph = withEdges.build();
  }

  public Graph graph() {
    return graph;
  }

  /** Moves the world one tick and returns the changes, stamped {@code at}. */
  public ChangeSet tick(long at) {
    Graph before = graph;
    Graph.Builder b = before.toBuilder();
    List<String> ids = new ArrayList<>(before.nodes().keySet());
    int replaced = (int) Math.round(ids.size() * churn);
    Set<String> gone = new HashSet<>();
    for (int i = 0; i < replaced && !ids.isEmpty(); i++) {
      String id = ids.remove(random.nextInt(ids.size()));
      b.removeNode(id);
      gone.add(id);
    }
    // One pass over the edges, not one per exited process: the benchmark's world has 10,000.
    before.edges().values().stream()
        .filter(e -> gone.contains(e.source()) || gone.contains(e.target()))
        .forEach(e -> b.removeEdge(e.key()));
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < replaced; i++) {
      Node n = process();
      b.node(n);
      started.add(n);
    }
    // A few survivors report new figures, as a steady probe does.
    for (int i = 0; i < Math.max(1, replaced) && !ids.isEmpty(); i++) {
      Node n = before.node(ids.get(random.nextInt(ids.size())));
      b.node(new Node(n.id(), n.kind(), n.label(), figures(n.attrs().get("pid"))));
    }
    List<String> alive = new ArrayList<>(b.build().nodes().keySet());
    started.forEach(n -> connect(b, n, alive, true));
    graph = b.build();
    return ChangeSet.between(at, before, graph);
  }

  private Node process() {
    int pid = ++nextPid;
    return new Node("host-1;" + pid, Kinds.PROCESS, "worker-" + (pid % 50), figures((long) pid));
  }

  private Map<String, Object> figures(Object pid) {
    return Map.of(
        "pid", pid,
        "comm", "worker",
        "cpu", Math.round(random.nextDouble() * 1000) / 10.0,
        "rss", 1_000_000L + random.nextInt(100_000_000),
        "container", random.nextBoolean());
  }

  /**
   * Connects a process to random others: at the start only as a client ({@code edgesPerNode}
   * each, so {@code nodes × edgesPerNode} edges), later as client and server alike, which keeps
   * that edge count steady as processes come and go.
   */
  private void connect(Graph.Builder b, Node from, List<String> ids, boolean alsoServer) {
    if (ids.size() < 2) {
      return;
    }
    for (int i = 0; i < edgesPerNode; i++) {
      String to = ids.get(random.nextInt(ids.size()));
      if (!to.equals(from.id()) && b.hasNode(to)) {
        b.edge(new Edge(from.id(), to, Map.of("port", 8080L + random.nextInt(4))));
      }
      String client = ids.get(random.nextInt(ids.size()));
      if (alsoServer && !client.equals(from.id()) && b.hasNode(client)) {
        b.edge(new Edge(client, from.id(), Map.of("port", 8080L + random.nextInt(4))));
      }
    }
  }
}
