package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.NatFlow;
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
  private final EndpointIndex elsewhere;

  public WorldBuilder() {
    this(EndpointIndex.NONE);
  }

  /** @param elsewhere asked for a far end that no report given to {@link #build} listens on */
  public WorldBuilder(EndpointIndex elsewhere) {
    this.elsewhere = elsewhere;
  }

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
      resolveEdges(r, listeners, elsewhere, processIds, reportingAddresses, graph, edgeCounts, edgeEnds);
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
      EndpointIndex elsewhere, Map<Owner, String> processIds, Set<String> reportingAddresses, Graph.Builder graph,
      Map<String, Long> edgeCounts, Map<String, String[]> edgeEnds) {
    Map<Integer, ProcessInfo> byPid = new HashMap<>();
    r.processes().forEach(p -> byPid.put(p.pid(), p));
    HostSockets sockets = new HostSockets(r);
    Set<String> hostAddresses = new HashSet<>(r.host() == null ? Set.of() : r.host().addresses());
    for (Connection c : r.connections()) {
      if (c.pid() == null || c.listening() || c.remotePort() == 0 || !byPid.containsKey(c.pid())) {
        continue;
      }
      long ns = netns(c);
      String self = byPid.get(c.pid()).nodeId(r.hostId());
      if (sockets.listener(c.localAddress(), c.localPort(), ns) != null) {
        // Clients on reporting hosts draw the edge from their own socket; only outsiders are drawn here.
        boolean localPeer = sockets.peer(c) != null;
        if (!localPeer && !isLoopback(c.remoteAddress()) && !sockets.isLocal(c.remoteAddress())
            && !reportingAddresses.contains(c.remoteAddress())) {
          addEdge(remoteNode(graph, c.remoteAddress()), self, edgeCounts, edgeEnds);
        }
        continue;
      }
      // Behind a DNAT (Docker -p, a ClusterIP) the server is the one that answers, not the one addressed.
      NatFlow.Tuple answered = sockets.natReply(c);
      String remoteAddress = answered == null ? c.remoteAddress() : answered.srcAddress();
      int remotePort = answered == null ? c.remotePort() : answered.srcPort();
      Integer peerPid = answered == null ? sockets.peer(c) : null;
      boolean local = isLoopback(remoteAddress) || hostAddresses.contains(remoteAddress)
          || sockets.isLocal(remoteAddress);
      if (peerPid == null && local) {
        // The accepted socket may be missing (not yet accepted, or scanned a moment apart).
        peerPid = sockets.listener(remoteAddress, remotePort, ns);
      }
      String target;
      if (peerPid != null && byPid.containsKey(peerPid)) {
        target = byPid.get(peerPid).nodeId(r.hostId());
      } else {
        Owner owner = globalListeners.get(remoteAddress + ":" + remotePort);
        target = owner != null ? processIds.get(owner) : null;
        if (target == null && !local) {
          target = elsewhere.listener(remoteAddress, remotePort);
        }
        if (target == null && local) {
          // A local peer we cannot see (gone, or hidden from the probe): no honest edge.
          continue;
        }
        if (target == null) {
          target = remoteNode(graph, remoteAddress);
        }
      }
      if (!target.equals(self)) {
        addEdge(self, target, edgeCounts, edgeEnds);
      }
    }
  }

  private static long netns(Connection c) {
    return c.netNamespace() == null ? 0 : c.netNamespace();
  }

  /**
   * The sockets of one host, indexed so that a far end resolves inside the right network
   * namespace: loopback addresses are private to a namespace, bridge and host addresses are
   * shared by the whole host.
   */
  private static final class HostSockets {
    private final Map<String, Integer> listeners = new HashMap<>();
    private final Map<String, Integer> owners = new HashMap<>();
    private final Map<String, Long> namespaceOfAddress = new HashMap<>();
    private final Map<String, NatFlow.Tuple> natReplies = new HashMap<>();

    HostSockets(Report r) {
      for (Connection c : r.connections()) {
        long ns = netns(c);
        if (!isWildcard(c.localAddress()) && !isLoopback(c.localAddress())) {
          namespaceOfAddress.putIfAbsent(c.localAddress(), ns);
        }
        if (c.pid() == null) {
          continue;
        }
        if (c.listening()) {
          String key = isWildcard(c.localAddress()) ? ns + "/*" : scoped(c.localAddress(), ns);
          listeners.put(key + ":" + c.localPort(), c.pid());
        } else {
          owners.put(scoped(c.localAddress(), ns) + ":" + c.localPort() + ">"
              + scoped(c.remoteAddress(), ns) + ":" + c.remotePort(), c.pid());
        }
      }
      for (NatFlow f : r.nat()) {
        if (f.isDestinationNat()) {
          natReplies.put(f.original().srcAddress() + ":" + f.original().srcPort() + ">"
              + f.original().dstAddress() + ":" + f.original().dstPort(), f.reply());
        }
      }
    }

    /** The pid listening on address:port, directly or through a wildcard listener of the namespace owning the address. */
    Integer listener(String address, int port, long ns) {
      Integer pid = listeners.get(scoped(address, ns) + ":" + port);
      if (pid != null) {
        return pid;
      }
      Long owner = isLoopback(address) ? Long.valueOf(ns) : namespaceOfAddress.get(address);
      if (owner != null) {
        pid = listeners.get(owner + "/*:" + port);
      }
      return pid != null ? pid : listeners.get(ns + "/*:" + port);
    }

    /** The pid owning the other end of {@code c} on this host, by the reversed 4-tuple. */
    Integer peer(Connection c) {
      long ns = netns(c);
      return owners.get(scoped(c.remoteAddress(), ns) + ":" + c.remotePort() + ">"
          + scoped(c.localAddress(), ns) + ":" + c.localPort());
    }

    NatFlow.Tuple natReply(Connection c) {
      return natReplies.get(c.localAddress() + ":" + c.localPort() + ">" + c.remoteAddress() + ":" + c.remotePort());
    }

    boolean isLocal(String address) {
      return namespaceOfAddress.containsKey(address);
    }

    private static String scoped(String address, long ns) {
      return isLoopback(address) ? ns + "/" + address : address;
    }
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
