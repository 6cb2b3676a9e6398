package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.NodeIds;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Merges the latest report of every host into the world graph: hosts, processes and
 * process-to-process edges (client → server).
 *
 * <p>Direction comes from listening sockets, never from port numbers: the end whose local
 * address and port is a listening socket of the same host is the server. A far end is found by
 * the reverse 4-tuple on the same host first (loopback and local traffic), then through the
 * listening endpoints of every host (routable addresses are global), else it becomes a
 * {@code remote} pseudo node named by its address.
 */
public final class WorldBuilder {

  public Graph build(Collection<Report> reports) {
    Graph.Builder graph = Graph.builder();
    Map<String, Owner> listeners = new HashMap<>();
    Map<Owner, String> processIds = new HashMap<>();
    Set<String> reportingAddresses = new HashSet<>();
    for (Report r : reports) {
      addHostAndProcesses(graph, r, processIds);
      indexListeners(r, listeners);
      if (r.host() != null) {
        r.host().addresses().stream().filter(a -> !isLoopback(a)).forEach(reportingAddresses::add);
      }
    }
    Map<String, Long> edgeCounts = new LinkedHashMap<>();
    Map<String, String[]> edgeEnds = new HashMap<>();
    for (Report r : reports) {
      resolveEdges(r, listeners, processIds, reportingAddresses, graph, edgeCounts, edgeEnds);
    }
    edgeCounts.forEach((key, count) -> {
      String[] ends = edgeEnds.get(key);
      graph.edge(new Edge(ends[0], ends[1], Map.of("connections", count)));
    });
    return graph.build();
  }

  private record Owner(String hostId, int pid) {}

  private static void addHostAndProcesses(Graph.Builder graph, Report r, Map<Owner, String> processIds) {
    String hostname = r.host() == null ? r.hostId() : r.host().hostname();
    Map<String, Object> hostAttrs = new HashMap<>();
    hostAttrs.put("host", r.hostId());
    hostAttrs.put("hostname", hostname);
    if (r.host() != null) {
      hostAttrs.put("kernel", r.host().kernel());
      hostAttrs.put("os", r.host().os());
      hostAttrs.put("addresses", String.join(" ", r.host().addresses()));
      hostAttrs.put("cpus", r.host().cpus());
    }
    graph.node(new Node(NodeIds.host(r.hostId()), Kinds.HOST, hostname, hostAttrs));
    for (ProcessInfo p : r.processes()) {
      if (isKernelThread(p)) {
        continue;
      }
      Map<String, Object> attrs = new HashMap<>();
      attrs.put("host", r.hostId());
      attrs.put("hostname", hostname);
      attrs.put("pid", p.pid());
      attrs.put("ppid", p.ppid());
      attrs.put("comm", p.comm());
      attrs.put("cmdline", p.cmdline());
      attrs.put("user", p.user());
      attrs.put("startedAt", p.startedAt());
      graph.node(new Node(p.nodeId(r.hostId()), Kinds.PROCESS, p.comm(), attrs));
      processIds.put(new Owner(r.hostId(), p.pid()), p.nodeId(r.hostId()));
    }
  }

  /** Kernel threads have no sockets of their own and would bury the processes people care about. */
  private static boolean isKernelThread(ProcessInfo p) {
    return p.pid() == 2 || p.ppid() == 2;
  }

  /** Routable listening addresses are global; wildcard listeners answer on every host address. */
  private static void indexListeners(Report r, Map<String, Owner> listeners) {
    for (Connection c : r.connections()) {
      if (!c.listening() || c.pid() == null) {
        continue;
      }
      if (isWildcard(c.localAddress())) {
        if (r.host() != null) {
          for (String a : r.host().addresses()) {
            if (!isLoopback(a)) {
              listeners.putIfAbsent(a + ":" + c.localPort(), new Owner(r.hostId(), c.pid()));
            }
          }
        }
      } else if (!isLoopback(c.localAddress())) {
        listeners.putIfAbsent(c.localAddress() + ":" + c.localPort(), new Owner(r.hostId(), c.pid()));
      }
    }
  }

  private static void resolveEdges(Report r, Map<String, Owner> globalListeners,
      Map<Owner, String> processIds, Set<String> reportingAddresses, Graph.Builder graph,
      Map<String, Long> edgeCounts, Map<String, String[]> edgeEnds) {
    Map<Integer, ProcessInfo> byPid = new HashMap<>();
    r.processes().forEach(p -> byPid.put(p.pid(), p));
    Map<String, Integer> localListens = new HashMap<>();
    Map<String, Integer> socketOwner = new HashMap<>();
    for (Connection c : r.connections()) {
      if (c.pid() == null) {
        continue;
      }
      if (c.listening()) {
        localListens.put(c.localAddress() + ":" + c.localPort(), c.pid());
      } else {
        socketOwner.put(tuple(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()), c.pid());
      }
    }
    Set<String> hostAddresses = new HashSet<>(r.host() == null ? Set.of() : r.host().addresses());
    for (Connection c : r.connections()) {
      if (c.pid() == null || c.listening() || c.remotePort() == 0 || !byPid.containsKey(c.pid())) {
        continue;
      }
      String self = byPid.get(c.pid()).nodeId(r.hostId());
      if (listenerOf(c.localAddress(), c.localPort(), localListens) != null) {
        // Clients on reporting hosts draw the edge from their own socket; only outsiders are drawn here.
        boolean localPeer = socketOwner.containsKey(
            tuple(c.remoteAddress(), c.remotePort(), c.localAddress(), c.localPort()));
        if (!localPeer && !isLoopback(c.remoteAddress()) && !hostAddresses.contains(c.remoteAddress())
            && !reportingAddresses.contains(c.remoteAddress())) {
          addEdge(remoteNode(graph, c.remoteAddress()), self, edgeCounts, edgeEnds);
        }
        continue;
      }
      Integer peerPid = socketOwner.get(tuple(c.remoteAddress(), c.remotePort(), c.localAddress(), c.localPort()));
      boolean localAddress = isLoopback(c.remoteAddress()) || hostAddresses.contains(c.remoteAddress());
      if (peerPid == null && localAddress) {
        // The accepted socket may be missing (not yet accepted, or scanned a moment apart).
        peerPid = listenerOf(c.remoteAddress(), c.remotePort(), localListens);
      }
      String target;
      if (peerPid != null && byPid.containsKey(peerPid)) {
        target = byPid.get(peerPid).nodeId(r.hostId());
      } else {
        Owner owner = globalListeners.get(c.remoteAddress() + ":" + c.remotePort());
        target = owner != null ? processIds.get(owner) : null;
        if (target == null && localAddress) {
          // A local peer we cannot see (another network namespace, or gone): no honest edge.
          continue;
        }
        if (target == null) {
          target = remoteNode(graph, c.remoteAddress());
        }
      }
      if (!target.equals(self)) {
        addEdge(self, target, edgeCounts, edgeEnds);
      }
    }
  }

  /** The pid listening on address:port of this host, directly or through a wildcard listener. */
  private static Integer listenerOf(String address, int port, Map<String, Integer> localListens) {
    Integer pid = localListens.get(address + ":" + port);
    if (pid == null) {
      pid = localListens.get("0.0.0.0:" + port);
    }
    if (pid == null) {
      pid = localListens.get(":::" + port);
    }
    return pid;
  }

  private static String remoteNode(Graph.Builder graph, String address) {
    String id = "remote;" + address;
    if (!graph.hasNode(id)) {
      graph.node(new Node(id, Kinds.REMOTE, address, Map.of("address", address)));
    }
    return id;
  }

  private static void addEdge(String source, String target, Map<String, Long> counts, Map<String, String[]> ends) {
    String key = Edge.key(source, target);
    ends.putIfAbsent(key, new String[] {source, target});
    counts.merge(key, 1L, Long::sum);
  }

  private static String tuple(String la, int lp, String ra, int rp) {
    return la + ":" + lp + ">" + ra + ":" + rp;
  }

  private static boolean isWildcard(String address) {
    return "0.0.0.0".equals(address) || "::".equals(address);
  }

  static boolean isLoopback(String address) {
    return address.startsWith("127.") || "::1".equals(address);
  }
}
