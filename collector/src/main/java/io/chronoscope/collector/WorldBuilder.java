package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.NodeIds;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Merges the latest report of every host into the world graph: hosts, containers, pods,
 * processes and process-to-process edges (client → server). Parents are attributes: a process
 * names its {@code host}, {@code container} and {@code pod}, a container its {@code host} and
 * {@code pod}, a pod its {@code host}; views fold on them.
 *
 * <p>Direction comes from listening sockets, never from port numbers: the end whose local
 * address and port is a listening socket in its own network namespace is the server, and the
 * client's socket draws the edge. The far end of a client's socket is found, in order, through
 * the conntrack DNAT reply (the backend that really answers), the reversed 4-tuple on the same
 * host, and the listening endpoints of whichever host and namespace owns the address. Every
 * local address of every reported socket and every container IP belongs to its host and
 * namespace, so a server never mistakes a client on another reporting host for an outsider.
 * Addresses no reporting host owns become pseudo nodes: {@code internet} for public ones, one node
 * per /24 for private ones.
 *
 * <p>The collector builds the same world a host at a time ({@link HostFragment},
 * {@link IncrementalWorld}) with this class's node makers; {@link #build} over reports in host id
 * order is the reference IncrementalWorldTest holds it to.
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
    AddressBook addresses = new AddressBook();
    Map<Owner, String> processIds = new HashMap<>();
    for (Report r : reports) {
      graph.node(hostNode(r));
      Map<String, Node> containers = addContainersAndPods(graph, r);
      addProcesses(graph, r, containers, processIds);
      addresses.add(r);
    }
    Edges edges = new Edges();
    for (Report r : reports) {
      resolveEdges(r, addresses, elsewhere, processIds, graph, edges);
    }
    edges.addTo(graph);
    return graph.build();
  }

  /** A process by host and pid: a socket names its owner by pid only. */
  private record Owner(String hostId, int pid) {}

  static String hostname(Report r) {
    return r.host() == null || r.host().hostname() == null ? r.hostId() : r.host().hostname();
  }

  static Node hostNode(Report r) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("host", r.hostId());
    attrs.put("hostname", hostname(r));
    if (r.host() != null) {
      attrs.put("kernel", r.host().kernel());
      attrs.put("os", r.host().os());
      attrs.put("addresses", String.join(" ", r.host().addresses()));
      attrs.put("cpus", r.host().cpus());
    }
    return new Node(NodeIds.host(r.hostId()), Kinds.HOST, hostname(r), attrs);
  }

  /** Adds the host's containers and their pods; answers the container nodes by runtime id. */
  private static Map<String, Node> addContainersAndPods(Graph.Builder graph, Report r) {
    Map<String, Node> nodes = new HashMap<>();
    for (ContainerInfo c : knownContainers(r).values()) {
      Pod pod = Pod.of(c);
      if (pod != null) {
        String podId = NodeIds.pod(pod.uid());
        if (!graph.hasNode(podId) || isSandbox(c)) {
          graph.node(podNode(r, podId, pod, c));
        }
      }
      Node node = containerNode(r, c, pod);
      graph.node(node);
      nodes.put(c.id(), node);
    }
    return nodes;
  }

  /** The host's containers by runtime id, in the order they are merged in. */
  static Map<String, ContainerInfo> knownContainers(Report r) {
    Map<String, ContainerInfo> known = new HashMap<>();
    r.containers().forEach(c -> known.put(c.id(), c));
    // A container seen only through a process's cgroup (no runtime API) is still a container.
    for (ProcessInfo p : r.processes()) {
      if (p.containerId() != null && !known.containsKey(p.containerId())) {
        known.put(p.containerId(), new ContainerInfo(p.containerId(), "unknown", null, null, null,
            null, null, null, null, null, null, null, null, null));
      }
    }
    return known;
  }

  static Node containerNode(Report r, ContainerInfo c, Pod pod) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("host", r.hostId());
    attrs.put("hostname", hostname(r));
    attrs.put("containerId", c.id());
    attrs.put("runtime", c.runtime());
    attrs.put("name", c.name());
    attrs.put("image", c.image());
    attrs.put("state", c.state());
    if (!c.ips().isEmpty()) {
      attrs.put("ips", String.join(" ", c.ips()));
    }
    c.labels().forEach((k, v) -> attrs.put(Labels.ATTR_PREFIX + k, v));
    if (pod != null) {
      attrs.put("pod", NodeIds.pod(pod.uid()));
      attrs.put("podName", pod.name());
      attrs.put("namespace", pod.namespace());
    }
    String label = c.name() != null ? c.name() : c.id().substring(0, Math.min(12, c.id().length()));
    return new Node(NodeIds.container(r.hostId(), c.id()), Kinds.CONTAINER, label, attrs);
  }

  /** Pod fields come from the probe, else from the io.kubernetes.pod.* labels they were read from. */
  record Pod(String uid, String name, String namespace) {
    static Pod of(ContainerInfo c) {
      String name = c.podName() != null ? c.podName() : c.labels().get("io.kubernetes.pod.name");
      String namespace = c.podNamespace() != null ? c.podNamespace() : c.labels().get("io.kubernetes.pod.namespace");
      if (name == null || namespace == null) {
        return null;
      }
      String uid = c.podUid() != null ? c.podUid() : c.labels().get("io.kubernetes.pod.uid");
      return new Pod(uid != null ? uid : namespace + "/" + name, name, namespace);
    }
  }

  /** The pause container holds the pod's network namespace and carries exactly the pod's labels. */
  static boolean isSandbox(ContainerInfo c) {
    return "podsandbox".equals(c.labels().get("io.kubernetes.docker.type"));
  }

  static Node podNode(Report r, String podId, Pod pod, ContainerInfo c) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("host", r.hostId());
    attrs.put("hostname", hostname(r));
    attrs.put("podUid", pod.uid());
    attrs.put("podName", pod.name());
    attrs.put("namespace", pod.namespace());
    if (!c.ips().isEmpty()) {
      attrs.put("ips", String.join(" ", c.ips()));
    }
    // The runtime's own labels describe one container, not the pod.
    c.labels().forEach((k, v) -> {
      if (!k.startsWith("io.kubernetes.")) {
        attrs.put(Labels.ATTR_PREFIX + k, v);
      }
    });
    return new Node(podId, Kinds.POD, pod.name(), attrs);
  }

  private static void addProcesses(Graph.Builder graph, Report r, Map<String, Node> containers,
      Map<Owner, String> processIds) {
    for (ProcessInfo p : r.processes()) {
      if (isKernelThread(p)) {
        continue;
      }
      Node node = processNode(r, p, p.containerId() == null ? null : containers.get(p.containerId()));
      graph.node(node);
      processIds.put(new Owner(r.hostId(), p.pid()), node.id());
    }
  }

  /** @param container the node of the process's container, null when it runs in none */
  static Node processNode(Report r, ProcessInfo p, Node container) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("host", r.hostId());
    attrs.put("hostname", hostname(r));
    attrs.put("pid", p.pid());
    attrs.put("ppid", p.ppid());
    attrs.put("comm", p.comm());
    attrs.put("cmdline", p.cmdline());
    attrs.put("user", p.user());
    attrs.put("startedAt", p.startedAt());
    if (container != null) {
      attrs.put("container", container.id());
      if (container.attrs().get("pod") != null) {
        attrs.put("pod", container.attrs().get("pod"));
        attrs.put("namespace", container.attrs().get("namespace"));
      }
    }
    return new Node(p.nodeId(r.hostId()), Kinds.PROCESS, p.comm(), attrs);
  }

  /** Kernel threads have no sockets of their own and would bury the processes people care about. */
  static boolean isKernelThread(ProcessInfo p) {
    return p.pid() == 2 || p.ppid() == 2;
  }

  private static void resolveEdges(Report r, AddressBook addresses, EndpointIndex elsewhere,
      Map<Owner, String> processIds, Graph.Builder graph, Edges edges) {
    Map<Integer, ProcessInfo> byPid = new HashMap<>();
    r.processes().forEach(p -> byPid.put(p.pid(), p));
    HostSockets sockets = new HostSockets(r);
    for (Connection c : r.connections()) {
      if (c.pid() == null || c.listening() || c.remotePort() == 0 || !byPid.containsKey(c.pid())) {
        continue;
      }
      long ns = netns(c);
      String self = byPid.get(c.pid()).nodeId(r.hostId());
      if (addresses.listener(r.hostId(), ns, c.localAddress(), c.localPort()) != null) {
        // The server end: a client on a reporting host draws the edge from its own socket.
        if (!isLoopback(c.remoteAddress()) && !addresses.isReporting(c.remoteAddress())) {
          edges.add(outside(graph, c.remoteAddress()), self, c.bytesReceived(), c.bytesSent());
        }
        continue;
      }
      // Behind a DNAT (Docker -p, a ClusterIP) the server is the one that answers, not the one addressed.
      NatFlow.Tuple answered = sockets.natReply(c);
      String remoteAddress = answered == null ? c.remoteAddress() : answered.srcAddress();
      int remotePort = answered == null ? c.remotePort() : answered.srcPort();
      String target = null;
      Integer peerPid = answered == null ? sockets.peer(c) : null;
      if (peerPid != null && byPid.containsKey(peerPid)) {
        target = byPid.get(peerPid).nodeId(r.hostId());
      } else {
        Owner owner = addresses.resolve(r.hostId(), ns, remoteAddress, remotePort);
        target = owner == null ? null : processIds.get(owner);
        if (target == null && !isLoopback(remoteAddress) && !addresses.isReporting(remoteAddress)) {
          // A server on a host another collector shard owns (Kafka transport).
          target = elsewhere.listener(remoteAddress, remotePort);
        }
      }
      if (target == null) {
        if (isLoopback(remoteAddress) || addresses.isReporting(remoteAddress)) {
          // A peer on a reporting host that we cannot see (gone, or hidden from its probe): no honest edge.
          continue;
        }
        target = outside(graph, remoteAddress);
      }
      if (!target.equals(self)) {
        edges.add(self, target, c.bytesSent(), c.bytesReceived());
      }
    }
  }

  static long netns(Connection c) {
    return c.netNamespace() == null ? 0 : c.netNamespace();
  }

  /**
   * Which host and namespace owns each address, and who listens where. Loopback is private to a
   * namespace; any other address resolves on the asking host first (Docker bridge addresses repeat
   * on every host), then on the one other host that owns it (pod and host addresses are routable).
   */
  private static final class AddressBook {
    private final Map<String, Map<String, Long>> owners = new HashMap<>();
    private final Map<String, HostAddresses> hosts = new HashMap<>();

    void add(Report r) {
      HostAddresses host = new HostAddresses(r);
      hosts.put(r.hostId(), host);
      host.owned().forEach((address, ns) ->
          owners.computeIfAbsent(address, k -> new HashMap<>()).putIfAbsent(r.hostId(), ns));
    }

    boolean isReporting(String address) {
      return owners.containsKey(address);
    }

    Integer listener(String hostId, long ns, String address, int port) {
      HostAddresses host = hosts.get(hostId);
      return host == null ? null : host.listener(ns, address, port);
    }

    /** The process listening where a socket of {@code hostId}/{@code ns} connects to, or null. */
    Owner resolve(String hostId, long ns, String address, int port) {
      if (isLoopback(address)) {
        return owner(hostId, listener(hostId, ns, address, port));
      }
      Map<String, Long> byHost = owners.get(address);
      if (byHost == null) {
        return null;
      }
      Long local = byHost.get(hostId);
      if (local != null) {
        return owner(hostId, listener(hostId, local, address, port));
      }
      if (byHost.size() != 1) {
        return null; // a host-local address that several other hosts use: not reachable from here
      }
      Map.Entry<String, Long> only = byHost.entrySet().iterator().next();
      return owner(only.getKey(), listener(only.getKey(), only.getValue(), address, port));
    }

    private static Owner owner(String hostId, Integer pid) {
      return pid == null ? null : new Owner(hostId, pid);
    }
  }

  /** One host's established sockets by 4-tuple and its conntrack DNAT flows. */
  static final class HostSockets {
    private final Map<String, Integer> owners = new HashMap<>();
    private final Map<String, NatFlow.Tuple> natReplies = new HashMap<>();

    HostSockets(Report r) {
      for (Connection c : r.connections()) {
        if (c.pid() != null && !c.listening()) {
          long ns = netns(c);
          owners.put(tuple(scoped(c.localAddress(), ns), c.localPort(), scoped(c.remoteAddress(), ns),
              c.remotePort()), c.pid());
        }
      }
      for (NatFlow f : r.nat()) {
        if (f.isDestinationNat()) {
          natReplies.put(tuple(f.original().srcAddress(), f.original().srcPort(),
              f.original().dstAddress(), f.original().dstPort()), f.reply());
        }
      }
    }

    /** The pid owning the other end of {@code c} on this host, by the reversed 4-tuple. */
    Integer peer(Connection c) {
      long ns = netns(c);
      return owners.get(tuple(scoped(c.remoteAddress(), ns), c.remotePort(),
          scoped(c.localAddress(), ns), c.localPort()));
    }

    NatFlow.Tuple natReply(Connection c) {
      return natReplies.get(tuple(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()));
    }

    private static String scoped(String address, long ns) {
      return isLoopback(address) ? ns + "/" + address : address;
    }
  }

  /** Edges folded per (client, server): how many connections, and bytes each way. */
  private static final class Edges {
    private final Map<String, long[]> totals = new LinkedHashMap<>();
    private final Map<String, String[]> ends = new HashMap<>();

    /** {@code sent} is what the client sent, {@code received} what it got back. */
    void add(String client, String server, Long sent, Long received) {
      String key = Edge.key(client, server);
      ends.putIfAbsent(key, new String[] {client, server});
      long[] t = totals.computeIfAbsent(key, k -> new long[3]);
      t[0]++;
      t[1] += sent == null ? 0 : sent;
      t[2] += received == null ? 0 : received;
    }

    void addTo(Graph.Builder graph) {
      totals.forEach((key, t) -> {
        String[] e = ends.get(key);
        graph.edge(edge(e[0], e[1], t));
      });
    }
  }

  /** An edge from its folded connections: how many, and bytes each way ({@link Edges}). */
  static Edge edge(String client, String server, long[] totals) {
    return new Edge(client, server, Map.of("connections", totals[0],
        "bytesSent", twoSignificantDigits(totals[1]), "bytesReceived", twoSignificantDigits(totals[2])));
  }

  /** Whether {@link #edge} would make {@code e} again from these totals. */
  static boolean sameTotals(Edge e, long[] totals) {
    return e.attrs().get("connections") instanceof Long c && c == totals[0]
        && e.attrs().get("bytesSent") instanceof Long s && s == twoSignificantDigits(totals[1])
        && e.attrs().get("bytesReceived") instanceof Long r && r == twoSignificantDigits(totals[2]);
  }

  /**
   * Byte counters grow every tick; rounded to two significant digits an edge changes (and costs
   * the store a delta) a few dozen times per decade of traffic instead of every tick. Exact rates
   * belong in metrics.
   */
  static long twoSignificantDigits(long n) {
    if (n < 100) {
      return n;
    }
    long scale = 1;
    while (n / scale >= 100) {
      scale *= 10;
    }
    return n / scale * scale;
  }

  /** The pseudo node for an address outside every reporting host. */
  private static String outside(Graph.Builder graph, String address) {
    Node node = outsideNode(address);
    if (!graph.hasNode(node.id())) {
      graph.node(node);
    }
    return node.id();
  }

  /** The pseudo node for an address outside every reporting host. */
  static Node outsideNode(String address) {
    String network = PrivateNetworks.networkOf(address);
    return network == null
        ? new Node(NodeIds.INTERNET, Kinds.REMOTE, "The Internet", Map.of())
        : new Node(NodeIds.privateNetwork(network), Kinds.REMOTE, network, Map.of("network", network));
  }

  private static String tuple(String la, int lp, String ra, int rp) {
    return la + ":" + lp + ">" + ra + ":" + rp;
  }

  static boolean isWildcard(String address) {
    return "0.0.0.0".equals(address) || "::".equals(address);
  }

  static boolean isLoopback(String address) {
    return address.startsWith("127.") || "::1".equals(address);
  }
}
