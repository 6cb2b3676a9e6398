package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.NodeIds;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One host's part of the world, made from its latest report when the report arrives: its nodes,
 * the pods it runs, the addresses it owns with who listens on them, and its connections as far as
 * they resolve on the host alone. Connections to other hosts' addresses are left open for
 * {@link IncrementalWorld} to resolve through every host's claims.
 *
 * <p>Nodes whose inputs did not change since the host's previous fragment are that fragment's
 * very instances, so the tick's diff passes them over by identity. Every node is made by the
 * same {@link WorldBuilder} code as a full rebuild makes it.
 */
final class HostFragment {
  final Report report;
  final String hostId;
  final String hostname;
  final Node hostNode;
  /** The host, its containers and processes, by id. */
  final Map<String, Node> nodes;
  /** Pods of this host's containers, by pod id. */
  final Map<String, PodCandidate> pods;
  /** Every routable address this host owns → port → node id of the process listening there. */
  final Map<String, Map<Integer, String>> claims;
  /** Edges whose both ends this report alone tells: folded connections per (client, server). */
  final Map<EdgeEnds, long[]> localEdges;
  /** Connections whose far end is an address this host does not own. */
  final List<OpenSocket> open;
  /** The addresses {@link #open} asks the world about. */
  final Set<String> consulted;
  private final Map<Integer, ProcessEntry> processes;
  private final Map<String, ContainerEntry> containers;

  /** The node a host gives a pod, and whether it came from the pod's sandbox (pause) container. */
  record PodCandidate(Node node, boolean sandbox) {}

  /** The two ends of an edge: client and server node ids. */
  record EdgeEnds(String source, String target) {}

  /**
   * A connection to resolve across hosts. A client socket's far end is the process listening on
   * {@code address:port} wherever that is; a server socket ({@code serverEnd}) has an edge only
   * from the outside, when no reporting host owns {@code address}. Bytes are the edge's client's.
   */
  record OpenSocket(String self, String address, int port, boolean serverEnd, long sent, long received) {}

  private record ProcessEntry(ProcessInfo info, Node container, Node node) {}

  private record ContainerEntry(ContainerInfo info, Node node, String podId, Node podNode) {}

  /**
   * @param previous the host's fragment before this report, whose unchanged nodes are reused;
   *     null for none
   */
  static HostFragment of(Report r, HostFragment previous) {
    return new HostFragment(r, previous != null && previous.hostId.equals(r.hostId()) ? previous : null);
  }

  private HostFragment(Report r, HostFragment previous) {
    this.report = r;
    this.hostId = r.hostId();
    this.hostname = WorldBuilder.hostname(r);
    HostFragment reusable = previous != null && previous.hostname.equals(hostname) ? previous : null;
    Node host = WorldBuilder.hostNode(r);
    this.hostNode = reusable != null && host.equals(reusable.hostNode) ? reusable.hostNode : host;
    this.nodes = new HashMap<>(2 * (r.processes().size() + r.containers().size()) + 4);
    nodes.put(hostNode.id(), hostNode);

    this.containers = new HashMap<>();
    this.pods = new HashMap<>();
    for (ContainerInfo c : WorldBuilder.knownContainers(r).values()) {
      ContainerEntry before = reusable == null ? null : reusable.containers.get(c.id());
      ContainerEntry entry = before != null && sameForGraph(before.info, c) ? before : container(r, c);
      containers.put(c.id(), entry);
      nodes.put(entry.node.id(), entry.node);
      if (entry.podId != null && (!pods.containsKey(entry.podId) || WorldBuilder.isSandbox(c))) {
        pods.put(entry.podId, new PodCandidate(entry.podNode, WorldBuilder.isSandbox(c)));
      }
    }

    this.processes = new HashMap<>(2 * r.processes().size());
    Map<Integer, ProcessInfo> byPid = new HashMap<>(2 * r.processes().size());
    Map<Integer, String> processIds = new HashMap<>(2 * r.processes().size());
    for (ProcessInfo p : r.processes()) {
      byPid.put(p.pid(), p);
      if (WorldBuilder.isKernelThread(p)) {
        continue;
      }
      Node container = p.containerId() == null ? null : containers.get(p.containerId()).node;
      ProcessEntry before = reusable == null ? null : reusable.processes.get(p.pid());
      Node node = before != null && before.container == container && sameForGraph(before.info, p)
          ? before.node : WorldBuilder.processNode(r, p, container);
      processes.put(p.pid(), new ProcessEntry(p, container, node));
      nodes.put(node.id(), node);
      processIds.put(p.pid(), node.id());
    }

    HostAddresses addresses = new HostAddresses(r);
    this.claims = new HashMap<>(2 * addresses.owned().size());
    for (String address : addresses.owned().keySet()) {
      Map<Integer, String> reachable = reachable(addresses.reachable(address), processIds);
      Map<Integer, String> before = previous == null ? null : previous.claims.get(address);
      claims.put(address, reachable.equals(before) ? before : reachable);
    }

    this.localEdges = new HashMap<>();
    this.open = new ArrayList<>();
    this.consulted = new HashSet<>();
    resolveLocally(r, addresses, byPid, processIds);
  }

  private static ContainerEntry container(Report r, ContainerInfo c) {
    WorldBuilder.Pod pod = WorldBuilder.Pod.of(c);
    if (pod == null) {
      return new ContainerEntry(c, WorldBuilder.containerNode(r, c, null), null, null);
    }
    String podId = NodeIds.pod(pod.uid());
    return new ContainerEntry(c, WorldBuilder.containerNode(r, c, pod), podId,
        WorldBuilder.podNode(r, podId, pod, c));
  }

  /** Everything a container's and its pod's nodes are made of (the host's name aside). */
  private static boolean sameForGraph(ContainerInfo a, ContainerInfo b) {
    return Objects.equals(a.id(), b.id()) && Objects.equals(a.runtime(), b.runtime())
        && Objects.equals(a.name(), b.name()) && Objects.equals(a.image(), b.image())
        && Objects.equals(a.state(), b.state()) && a.ips().equals(b.ips())
        && Objects.equals(a.podUid(), b.podUid()) && Objects.equals(a.podName(), b.podName())
        && Objects.equals(a.podNamespace(), b.podNamespace()) && a.labels().equals(b.labels());
  }

  /** Everything a process's node is made of (its container's node and the host's name aside). */
  private static boolean sameForGraph(ProcessInfo a, ProcessInfo b) {
    return a.pid() == b.pid() && a.ppid() == b.ppid() && a.startTime() == b.startTime()
        && a.startedAt() == b.startedAt() && Objects.equals(a.comm(), b.comm())
        && Objects.equals(a.user(), b.user()) && Objects.equals(a.containerId(), b.containerId())
        && Objects.equals(a.cmdline(), b.cmdline());
  }

  private static Map<Integer, String> reachable(Map<Integer, Integer> pids, Map<Integer, String> processIds) {
    if (pids.isEmpty()) {
      return Map.of();
    }
    if (pids.size() == 1) {
      Map.Entry<Integer, Integer> only = pids.entrySet().iterator().next();
      String id = processIds.get(only.getValue());
      return id == null ? Map.of() : Map.of(only.getKey(), id);
    }
    Map<Integer, String> ids = new HashMap<>(2 * pids.size());
    pids.forEach((port, pid) -> {
      String id = processIds.get(pid);
      if (id != null) {
        ids.put(port, id);
      }
    });
    return ids;
  }

  /** {@link WorldBuilder}'s edge resolution, as far as it needs no other host's report. */
  private void resolveLocally(Report r, HostAddresses addresses, Map<Integer, ProcessInfo> byPid,
      Map<Integer, String> processIds) {
    WorldBuilder.HostSockets sockets = new WorldBuilder.HostSockets(r);
    Map<Integer, String> selfIds = new HashMap<>();
    for (Connection c : r.connections()) {
      if (c.pid() == null || c.listening() || c.remotePort() == 0 || !byPid.containsKey(c.pid())) {
        continue;
      }
      long ns = WorldBuilder.netns(c);
      String self = selfId(c.pid(), byPid, selfIds);
      if (addresses.listener(ns, c.localAddress(), c.localPort()) != null) {
        // The server end: only a client outside every reporting host makes an edge of it.
        if (!WorldBuilder.isLoopback(c.remoteAddress()) && !addresses.owned().containsKey(c.remoteAddress())) {
          open.add(new OpenSocket(self, c.remoteAddress(), c.remotePort(), true,
              bytes(c.bytesReceived()), bytes(c.bytesSent())));
          consulted.add(c.remoteAddress());
        }
        continue;
      }
      NatFlow.Tuple answered = sockets.natReply(c);
      String remoteAddress = answered == null ? c.remoteAddress() : answered.srcAddress();
      int remotePort = answered == null ? c.remotePort() : answered.srcPort();
      Integer peerPid = answered == null ? sockets.peer(c) : null;
      String target;
      if (peerPid != null && byPid.containsKey(peerPid)) {
        target = selfId(peerPid, byPid, selfIds);
      } else {
        Long localNs = WorldBuilder.isLoopback(remoteAddress) ? Long.valueOf(ns) : addresses.owned().get(remoteAddress);
        if (localNs == null) {
          open.add(new OpenSocket(self, remoteAddress, remotePort, false, bytes(c.bytesSent()),
              bytes(c.bytesReceived())));
          consulted.add(remoteAddress);
          continue;
        }
        Integer pid = addresses.listener(localNs, remoteAddress, remotePort);
        target = pid == null ? null : processIds.get(pid);
        if (target == null) {
          continue; // a peer on this host that its probe cannot see: no honest edge
        }
      }
      if (!target.equals(self)) {
        long[] t = localEdges.computeIfAbsent(new EdgeEnds(self, target), k -> new long[3]);
        t[0]++;
        t[1] += bytes(c.bytesSent());
        t[2] += bytes(c.bytesReceived());
      }
    }
  }

  /** The node id a socket's pid stands for: the last process reported with that pid. */
  private String selfId(int pid, Map<Integer, ProcessInfo> byPid, Map<Integer, String> selfIds) {
    String id = selfIds.get(pid);
    if (id == null) {
      ProcessInfo p = byPid.get(pid);
      ProcessEntry entry = processes.get(pid);
      id = entry != null && entry.info == p ? entry.node.id() : p.nodeId(hostId);
      selfIds.put(pid, id);
    }
    return id;
  }

  private static long bytes(Long n) {
    return n == null ? 0 : n;
  }
}
