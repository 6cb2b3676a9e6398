package io.chronoscope.collector;

import io.chronoscope.collector.HostFragment.EdgeEnds;
import io.chronoscope.collector.HostFragment.OpenSocket;
import io.chronoscope.collector.HostFragment.PodCandidate;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps the world graph up to date from the hosts' {@link HostFragment}s, doing each tick only
 * the work of what changed: the nodes of hosts with a new fragment, the pods they run, and the
 * edges of hosts that reported or whose connections' far ends changed. Far ends are resolved
 * through an index of every host's address claims that changes with the fragments, and each
 * host remembers which addresses its connections asked about, so a host is resolved again only
 * when one of those changed. The result equals {@link WorldBuilder#build} over the same reports
 * in host id order (IncrementalWorldTest holds it to that).
 *
 * <p>Only the tick thread uses it.
 */
final class IncrementalWorld {
  private final EndpointIndex elsewhere;
  private final Map<String, HostFragment> merged = new HashMap<>();
  /** Address → owning host → port → listening process node id. */
  private final Map<String, Map<String, Map<Integer, String>>> claims = new HashMap<>();
  /** Address → hosts whose open connections asked about it. */
  private final Map<String, Set<String>> askedBy = new HashMap<>();
  private final Map<String, HostEdges> edges = new HashMap<>();
  /** Pod id → host id → the node that host gives the pod; hosts in id order, as the merge goes. */
  private final Map<String, TreeMap<String, PodCandidate>> podCandidates = new HashMap<>();
  private final Map<String, Node> pods = new HashMap<>();
  /** Pseudo node id → how many hosts have edges to or from it. */
  private final Map<String, Integer> outsideUse = new HashMap<>();
  private final Map<String, Node> outsideNodes = new HashMap<>();
  /** Hosts with a connection only the other shards' endpoint index can resolve: asked every tick. */
  private final Set<String> askingElsewhere = new HashSet<>();

  IncrementalWorld(EndpointIndex elsewhere) {
    this.elsewhere = elsewhere;
  }

  /** The edges one host's connections make, by their ends, and the pseudo nodes they touch. */
  private record HostEdges(Map<EdgeEnds, Edge> byEnds, Set<String> outside) {
    static final HostEdges NONE = new HostEdges(Map.of(), Set.of());
  }

  /** The changes of one tick and the world after them. */
  record Step(ChangeSet changes, Graph world) {}

  /**
   * Moves the world to the given fragments.
   *
   * @param previous the world as last stored
   * @param inSync whether {@code previous} is the world this object last answered; when not
   *     (first tick after a restart, or a tick that was not stored) everything is merged anew
   *     and diffed whole against {@code previous}
   */
  Step advance(long at, Graph previous, Map<String, HostFragment> live, boolean inSync) {
    if (!inSync) {
      clear();
      Changes all = new Changes();
      merge(live, all);
      Graph world = all.toChangeSet(at).applyTo(Graph.EMPTY);
      return new Step(ChangeSet.between(at, previous, world), world);
    }
    Changes changes = new Changes();
    merge(live, changes);
    ChangeSet set = changes.toChangeSet(at);
    return new Step(set, set.applyTo(previous));
  }

  private void clear() {
    merged.clear();
    claims.clear();
    askedBy.clear();
    edges.clear();
    podCandidates.clear();
    pods.clear();
    outsideUse.clear();
    askingElsewhere.clear();
  }

  private void merge(Map<String, HostFragment> live, Changes changes) {
    Set<String> changedHosts = new HashSet<>();
    live.forEach((host, fragment) -> {
      if (merged.get(host) != fragment) {
        changedHosts.add(host);
      }
    });
    for (String host : merged.keySet()) {
      if (!live.containsKey(host)) {
        changedHosts.add(host);
      }
    }
    Set<String> toResolve = new HashSet<>(askingElsewhere);
    Set<String> changedPods = new HashSet<>();
    Set<String> changedAddresses = new HashSet<>();
    for (String host : changedHosts) {
      HostFragment before = merged.get(host);
      HostFragment after = live.get(host);
      diffNodes(before, after, changes);
      movePods(host, before, after, changedPods);
      moveClaims(host, before, after, changedAddresses);
      moveQuestions(host, before, after);
      if (after == null) {
        merged.remove(host);
        setEdges(host, HostEdges.NONE, changes);
        askingElsewhere.remove(host);
        toResolve.remove(host);
      } else {
        merged.put(host, after);
        toResolve.add(host);
      }
    }
    for (String address : changedAddresses) {
      Set<String> asking = askedBy.get(address);
      if (asking != null) {
        toResolve.addAll(asking);
      }
    }
    for (String host : toResolve) {
      HostFragment fragment = merged.get(host);
      if (fragment != null) {
        setEdges(host, resolve(fragment), changes);
      }
    }
    for (String podId : changedPods) {
      Node before = pods.get(podId);
      Node after = winner(podCandidates.get(podId));
      if (after == null) {
        pods.remove(podId);
        podCandidates.remove(podId);
      } else {
        pods.put(podId, after);
      }
      if (before != after) {
        changes.node(before, after);
      }
    }
  }

  private static void diffNodes(HostFragment before, HostFragment after, Changes changes) {
    Map<String, Node> old = before == null ? Map.of() : before.nodes;
    Map<String, Node> now = after == null ? Map.of() : after.nodes;
    now.forEach((id, node) -> {
      Node was = old.get(id);
      if (was != node) {
        changes.node(was, node);
      }
    });
    old.forEach((id, node) -> {
      if (!now.containsKey(id)) {
        changes.node(node, null);
      }
    });
  }

  private void movePods(String host, HostFragment before, HostFragment after, Set<String> changedPods) {
    if (before != null) {
      for (String podId : before.pods.keySet()) {
        if (after == null || !after.pods.containsKey(podId)) {
          TreeMap<String, PodCandidate> candidates = podCandidates.get(podId);
          candidates.remove(host);
          changedPods.add(podId);
        }
      }
    }
    if (after != null) {
      after.pods.forEach((podId, candidate) -> {
        PodCandidate was = podCandidates.computeIfAbsent(podId, k -> new TreeMap<>()).put(host, candidate);
        if (!candidate.equals(was)) {
          changedPods.add(podId);
        }
      });
    }
  }

  /** What a full merge in host order leaves for a pod: the last sandbox's node, else the first. */
  private static Node winner(TreeMap<String, PodCandidate> candidates) {
    if (candidates == null || candidates.isEmpty()) {
      return null;
    }
    for (PodCandidate c : candidates.descendingMap().values()) {
      if (c.sandbox()) {
        return c.node();
      }
    }
    return candidates.firstEntry().getValue().node();
  }

  private void moveClaims(String host, HostFragment before, HostFragment after, Set<String> changedAddresses) {
    Map<String, Map<Integer, String>> old = before == null ? Map.of() : before.claims;
    Map<String, Map<Integer, String>> now = after == null ? Map.of() : after.claims;
    old.forEach((address, table) -> {
      if (!now.containsKey(address)) {
        Map<String, Map<Integer, String>> owners = claims.get(address);
        owners.remove(host);
        if (owners.isEmpty()) {
          claims.remove(address);
        }
        changedAddresses.add(address);
      }
    });
    now.forEach((address, table) -> {
      Map<Integer, String> was = old.get(address);
      if (was != table && !table.equals(was)) {
        claims.computeIfAbsent(address, k -> new HashMap<>(2)).put(host, table);
        changedAddresses.add(address);
      } else if (was != table) {
        claims.get(address).put(host, table);
      }
    });
  }

  private void moveQuestions(String host, HostFragment before, HostFragment after) {
    Set<String> old = before == null ? Set.of() : before.consulted;
    Set<String> now = after == null ? Set.of() : after.consulted;
    for (String address : old) {
      if (!now.contains(address)) {
        Set<String> asking = askedBy.get(address);
        asking.remove(host);
        if (asking.isEmpty()) {
          askedBy.remove(address);
        }
      }
    }
    for (String address : now) {
      if (!old.contains(address)) {
        askedBy.computeIfAbsent(address, k -> new HashSet<>(4)).add(host);
      }
    }
  }

  /** The host's edges: those its report resolves alone, and its open connections resolved now. */
  private HostEdges resolve(HostFragment fragment) {
    Map<EdgeEnds, long[]> totals = new HashMap<>(2 * (fragment.localEdges.size() + fragment.open.size()));
    fragment.localEdges.forEach((ends, t) -> totals.put(ends, t.clone()));
    Set<String> outside = new HashSet<>();
    boolean askedElsewhere = false;
    for (OpenSocket s : fragment.open) {
      Map<String, Map<Integer, String>> owners = claims.get(s.address());
      if (s.serverEnd()) {
        if (owners == null) {
          String client = outside(s.address(), outside);
          add(totals, client, s.self(), s);
        }
        continue;
      }
      String target;
      if (owners != null) {
        // Owned by one other host: its listener, if any. By several: a host-local address not
        // reachable from here. Either way no honest edge without a listener.
        target = owners.size() == 1 ? owners.values().iterator().next().get(s.port()) : null;
        if (target == null) {
          continue;
        }
      } else {
        target = null;
        if (elsewhere != EndpointIndex.NONE) {
          askedElsewhere = true;
          target = elsewhere.listener(s.address(), s.port());
        }
        if (target == null) {
          target = outside(s.address(), outside);
        }
      }
      if (!target.equals(s.self())) {
        add(totals, s.self(), target, s);
      }
    }
    if (askedElsewhere) {
      askingElsewhere.add(fragment.hostId);
    } else {
      askingElsewhere.remove(fragment.hostId);
    }
    HostEdges before = edges.getOrDefault(fragment.hostId, HostEdges.NONE);
    Map<EdgeEnds, Edge> byEnds = new HashMap<>(2 * totals.size());
    totals.forEach((ends, t) -> {
      // Ends are node ids the fragments share, so most lookups compare by identity.
      Edge was = before.byEnds().get(ends);
      byEnds.put(ends, was != null && WorldBuilder.sameTotals(was, t) ? was
          : WorldBuilder.edge(ends.source(), ends.target(), t));
    });
    return new HostEdges(byEnds, outside);
  }

  private static void add(Map<EdgeEnds, long[]> totals, String client, String server, OpenSocket s) {
    long[] t = totals.computeIfAbsent(new EdgeEnds(client, server), k -> new long[3]);
    t[0]++;
    t[1] += s.sent();
    t[2] += s.received();
  }

  private String outside(String address, Set<String> used) {
    Node node = WorldBuilder.outsideNode(address);
    used.add(node.id());
    outsideNodes.putIfAbsent(node.id(), node);
    return node.id();
  }

  private void setEdges(String host, HostEdges now, Changes changes) {
    HostEdges before = now == HostEdges.NONE ? edges.remove(host) : edges.put(host, now);
    if (before == null) {
      before = HostEdges.NONE;
    }
    Map<EdgeEnds, Edge> old = before.byEnds();
    now.byEnds().forEach((ends, edge) -> {
      Edge was = old.get(ends);
      if (was != edge) {
        changes.edge(Edge.key(ends.source(), ends.target()), was, edge);
      }
    });
    for (Map.Entry<EdgeEnds, Edge> e : old.entrySet()) {
      if (!now.byEnds().containsKey(e.getKey())) {
        changes.edge(Edge.key(e.getKey().source(), e.getKey().target()), e.getValue(), null);
      }
    }
    if (!before.outside().equals(now.outside())) {
      for (String id : now.outside()) {
        if (!before.outside().contains(id) && outsideUse.merge(id, 1, Integer::sum) == 1) {
          changes.node(null, outsideNodes.get(id));
        }
      }
      for (String id : before.outside()) {
        if (!now.outside().contains(id) && outsideUse.merge(id, -1, Integer::sum) == 0) {
          outsideUse.remove(id);
          changes.node(outsideNodes.remove(id), null);
        }
      }
    }
  }

  /**
   * The changes of one tick as they are found, host by host. A node or edge can be touched twice
   * in one tick (a pseudo node dropped by one host and taken up by another): only its state
   * before the tick and after it count.
   */
  private static final class Changes {
    private final Map<String, Node[]> nodes = new HashMap<>();
    private final Map<String, Edge[]> edges = new HashMap<>();

    void node(Node before, Node after) {
      String id = before != null ? before.id() : after.id();
      Node[] change = nodes.get(id);
      if (change == null) {
        nodes.put(id, new Node[] {before, after});
      } else {
        change[1] = after;
      }
    }

    void edge(String key, Edge before, Edge after) {
      Edge[] change = edges.get(key);
      if (change == null) {
        edges.put(key, new Edge[] {before, after});
      } else {
        change[1] = after;
      }
    }

    /** In key order, as {@link ChangeSet#between} lists them. */
    ChangeSet toChangeSet(long at) {
      List<Node> addedNodes = new ArrayList<>();
      List<Node> removedNodes = new ArrayList<>();
      List<ChangeSet.Change<Node>> changedNodes = new ArrayList<>();
      for (String id : sortedKeys(nodes)) {
        Node[] change = nodes.get(id);
        classify(change[0], change[1], addedNodes, removedNodes, changedNodes);
      }
      List<Edge> addedEdges = new ArrayList<>();
      List<Edge> removedEdges = new ArrayList<>();
      List<ChangeSet.Change<Edge>> changedEdges = new ArrayList<>();
      for (String key : sortedKeys(edges)) {
        Edge[] change = edges.get(key);
        classify(change[0], change[1], addedEdges, removedEdges, changedEdges);
      }
      return new ChangeSet(at, addedNodes, removedNodes, changedNodes, addedEdges, removedEdges,
          changedEdges);
    }

    private static String[] sortedKeys(Map<String, ?> changes) {
      String[] keys = changes.keySet().toArray(new String[0]);
      Arrays.sort(keys);
      return keys;
    }

    private static <T> void classify(T before, T after, List<T> added, List<T> removed,
        List<ChangeSet.Change<T>> changed) {
      if (before == null && after != null) {
        added.add(after);
      } else if (before != null && after == null) {
        removed.add(before);
      } else if (before != null && before != after && !before.equals(after)) {
        changed.add(new ChangeSet.Change<>(before, after));
      }
    }
  }

  /** For tests: the claims index holds exactly what the merged fragments claim. */
  boolean indexesAgree() {
    Map<String, Map<String, Map<Integer, String>>> expected = new HashMap<>();
    Map<String, Set<String>> expectedAsked = new HashMap<>();
    merged.forEach((host, f) -> {
      f.claims.forEach((a, t) -> expected.computeIfAbsent(a, k -> new HashMap<>()).put(host, t));
      f.consulted.forEach(a -> expectedAsked.computeIfAbsent(a, k -> new HashSet<>()).add(host));
    });
    return expected.equals(claims) && expectedAsked.equals(askedBy);
  }
}
