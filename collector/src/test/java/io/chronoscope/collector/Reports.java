package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds reports for tests: one host, processes and sockets named by what they are. */
public final class Reports {
  private final String hostId;
  private final List<String> addresses = new ArrayList<>(List.of("127.0.0.1"));
  private final List<ProcessInfo> processes = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private final List<NatFlow> nat = new ArrayList<>();
  private final List<ContainerInfo> containers = new ArrayList<>();
  private Long netns;
  private long seq;

  private Reports(String hostId) {
    this.hostId = hostId;
  }

  public static Reports host(String hostId) {
    return new Reports(hostId);
  }

  public Reports address(String ip) {
    addresses.add(ip);
    return this;
  }

  public Reports process(int pid, String comm) {
    processes.add(new ProcessInfo(pid, 1, 1000L + pid, 0, comm, "/usr/bin/" + comm, "root", 0, 0));
    return this;
  }

  /** A process of container {@code containerId}, in the network namespace set last. */
  public Reports containerProcess(int pid, String comm, String containerId) {
    processes.add(new ProcessInfo(pid, 1, 1000L + pid, 0, comm, "/usr/bin/" + comm, "root", 0, 0,
        null, null, null, netns, containerId, null, null));
    return this;
  }

  /** A Docker container at {@code ip}; labels as alternating keys and values. */
  public Reports container(String id, String name, String image, String ip, String... labels) {
    Map<String, String> l = new LinkedHashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    containers.add(new ContainerInfo(id, "docker", name, image, l, "running", null,
        ip == null ? List.of() : List.of(ip), List.of(), null, null, null, null, null));
    return this;
  }

  /** A Kubernetes pod's container as dockershim names it, with the pod labels and {@code app}. */
  public Reports pod(String containerId, String namespace, String podName, String app, String ip) {
    return container(containerId, "k8s_" + app + "_" + podName + "_" + namespace + "_uid-" + podName + "_0",
        app + ":1.0", ip, "io.kubernetes.pod.name", podName, "io.kubernetes.pod.namespace", namespace,
        "io.kubernetes.pod.uid", "uid-" + podName, "app", app);
  }

  /** Sockets added after this call live in network namespace {@code inode}. */
  public Reports inNamespace(long inode) {
    netns = inode;
    return this;
  }

  public Reports listen(int pid, String ip, int port) {
    return socket(pid, ip, port, "0.0.0.0", 0, Connection.LISTEN);
  }

  public Reports connect(int pid, String localIp, int localPort, String remoteIp, int remotePort) {
    return socket(pid, localIp, localPort, remoteIp, remotePort, "ESTABLISHED");
  }

  public Reports connect(int pid, String localIp, int localPort, String remoteIp, int remotePort,
      long bytesSent, long bytesReceived) {
    connections.add(new Connection("tcp", localIp, localPort, remoteIp, remotePort, "ESTABLISHED", pid, 0,
        "test", netns, bytesSent, bytesReceived, null, null, null, null));
    return this;
  }

  /** A connection that opened and closed between two scans (eBPF), in the namespace set last. */
  public Reports closed(int pid, String localIp, int localPort, String remoteIp, int remotePort) {
    connections.add(new Connection("tcp", localIp, localPort, remoteIp, remotePort, "CLOSE", pid, 0,
        "ebpf", netns, null, null, null, null, 1L, 2L));
    return this;
  }

  private Reports socket(int pid, String localIp, int localPort, String remoteIp, int remotePort, String state) {
    connections.add(new Connection("tcp", localIp, localPort, remoteIp, remotePort, state, pid, 0, "test",
        netns, null, null, null, null, null, null));
    return this;
  }

  /** A conntrack flow: the client addressed {@code dst}, {@code real} answered. */
  public Reports dnat(String src, int srcPort, String dst, int dstPort, String real, int realPort) {
    nat.add(new NatFlow("tcp", new NatFlow.Tuple(src, srcPort, dst, dstPort),
        new NatFlow.Tuple(real, realPort, src, srcPort), "ESTABLISHED", null));
    return this;
  }

  public Report at(long timestamp) {
    return new Report(hostId, "probe-" + hostId, ++seq, timestamp, 1000,
        new HostInfo(hostId + "-name", "6.18", "Debian", addresses, 2, 1 << 30, 0.1),
        processes, connections, containers, nat);
  }
}
