package io.chronoscope.server.loadgen;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.server.loadgen.ServiceGraph.Service;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A cluster that exists only in memory: hosts running the pods of {@link ServiceGraph}, one
 * container per pod, with the processes, listening sockets and established connections a probe
 * on each host would report. Each {@link #advance tick} replaces a share of the pods (new
 * container ids, new pod name suffixes, addresses taken back from the host's pool, so pod IPs
 * are reused), closes the connections they held and opens new ones along the service graph, and
 * grows byte counters. All randomness comes from the seed: the same shape and the same tick
 * times give equal reports.
 *
 * <p>Both ends of a connection are reported, by the hosts of the client and the server pod, and
 * the server pod listens on its own address and the service port, so a collector can resolve
 * every edge through listening sockets.
 */
public final class SimulatedWorld {
  /** The initial network namespace's inode, the same on every Linux host. */
  static final long HOST_NET_NAMESPACE = 4026531840L;
  static final int EPHEMERAL_FIRST = 32768;
  static final int EPHEMERAL_LAST = 60999;
  private static final int EPHEMERAL_PORTS = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
  private static final long CLOCK_TICKS_PER_SECOND = 100;
  /** Kubernetes' random-suffix alphabet: no vowels, no look-alike characters. */
  private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final String KERNEL = "6.1.0-21-amd64";
  private static final String OS = "Debian GNU/Linux 12 (bookworm)";
  private static final String SOURCE = "sock_diag";

  private final WorldShape shape;
  private final long intervalMs;
  private final Random random;
  private final Map<String, String> templateHashes = new LinkedHashMap<>();
  private final List<SimHost> hosts = new ArrayList<>();
  private final Set<SimConnection> connections = new LinkedHashSet<>();
  private double churnOwed;
  private long tick;
  private long now;

  /**
   * Builds the world as it stands at {@code startMillis}: every pod running, every connection
   * open.
   *
   * @param intervalMs the time between two ticks, reported as the probes' scan interval
   */
  public SimulatedWorld(WorldShape shape, long startMillis, long intervalMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be positive, was " + intervalMs);
    }
    this.shape = shape;
    this.intervalMs = intervalMs;
    this.random = new Random(shape.seed());
    this.now = startMillis;
    for (String service : ServiceGraph.SERVICES.keySet()) {
      templateHashes.put(service, randomName(10));
    }
    int poolSize = Math.min(253, shape.containersPerHost() + spareAddresses());
    for (int h = 0; h < shape.hosts(); h++) {
      hosts.add(new SimHost(h, startMillis, poolSize));
    }
    // Slot n of host h is container number n * hosts + h, so every host runs a mix of services.
    for (int slot = 0; slot < shape.containersPerHost(); slot++) {
      for (SimHost host : hosts) {
        host.pods[slot] = newPod(host, slot, ServiceGraph.placed(slot * shape.hosts() + host.index));
      }
    }
    openConnections();
    hosts.forEach(SimHost::wander);
  }

  /** What one tick changed. */
  public record Tick(long number, List<String> replacedContainerIds, int connectionsClosed,
      int connectionsOpened) {}

  /**
   * Moves the world to {@code nowMillis}: replaces the churn share of the pods, refills the
   * connections to the configured count, and grows counters by the time elapsed.
   */
  public Tick advance(long nowMillis) {
    long elapsedMs = Math.max(0, nowMillis - now);
    now = nowMillis;
    tick++;
    List<String> replaced = new ArrayList<>();
    int closed = 0;
    for (SimPod pod : podsToReplace()) {
      closed += close(pod);
      replaced.add(pod.containerId);
      pod.host.freeAddresses.addLast(pod.address);
      pod.host.pods[pod.slot] = newPod(pod.host, pod.slot, pod.service);
    }
    int opened = openConnections();
    for (SimConnection c : connections) {
      c.grow(elapsedMs);
    }
    hosts.forEach(SimHost::wander);
    return new Tick(tick, replaced, closed, opened);
  }

  /** One report per host, in host order, describing the world at the latest tick. */
  public List<Report> reports() {
    List<Report> reports = new ArrayList<>(hosts.size());
    for (SimHost host : hosts) {
      reports.add(host.report());
    }
    return reports;
  }

  public WorldShape shape() {
    return shape;
  }

  public long tick() {
    return tick;
  }

  public int connectionCount() {
    return connections.size();
  }

  /** Containers owed this tick: the churn share of all, with fractions carried to later ticks. */
  private List<SimPod> podsToReplace() {
    List<SimPod> all = new ArrayList<>(shape.totalContainers());
    for (SimHost host : hosts) {
      all.addAll(List.of(host.pods));
    }
    churnOwed += all.size() * shape.churnPercent() / 100.0;
    // The epsilon keeps 0.1 + 0.1 + ... from landing just below a whole pod.
    int count = (int) Math.min(all.size(), Math.floor(churnOwed + 1e-9));
    churnOwed = Math.max(0, churnOwed - count);
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(all.size() - i);
      SimPod swap = all.get(i);
      all.set(i, all.get(j));
      all.set(j, swap);
    }
    return all.subList(0, count);
  }

  private int spareAddresses() {
    double perTick = shape.containersPerHost() * shape.churnPercent() / 100.0;
    return Math.max(1, (int) Math.ceil(perTick));
  }

  /** Closes every connection the pod is an end of; returns how many. */
  private int close(SimPod pod) {
    List<SimConnection> ends = new ArrayList<>(pod.outbound);
    ends.addAll(pod.inbound);
    for (SimConnection c : ends) {
      connections.remove(c);
      c.client.outbound.remove(c);
      c.client.usedPorts.clear(c.clientPort - EPHEMERAL_FIRST);
      c.server.inbound.remove(c);
    }
    return ends.size();
  }

  /** Opens connections along the service graph until there are as many as the shape asks. */
  private int openConnections() {
    int missing = shape.connections() - connections.size();
    if (missing <= 0) {
      return 0;
    }
    Map<String, List<SimPod>> podsByService = new LinkedHashMap<>();
    for (SimHost host : hosts) {
      for (SimPod pod : host.pods) {
        podsByService.computeIfAbsent(pod.service.name(), s -> new ArrayList<>()).add(pod);
      }
    }
    List<SimPod> clients = new ArrayList<>();
    for (List<SimPod> pods : podsByService.values()) {
      for (SimPod pod : pods) {
        if (pod.service.calls().stream().anyMatch(podsByService::containsKey)) {
          clients.add(pod);
        }
      }
    }
    int opened = 0;
    // A client whose ephemeral ports are all taken is skipped; the bound ends a hopeless search.
    for (int attempts = 0; opened < missing && !clients.isEmpty() && attempts < 4 * missing + 100;
        attempts++) {
      SimPod client = clients.get(random.nextInt(clients.size()));
      List<String> callees = client.service.calls().stream().filter(podsByService::containsKey).toList();
      List<SimPod> servers = podsByService.get(callees.get(random.nextInt(callees.size())));
      SimPod server = servers.get(random.nextInt(servers.size()));
      int port = client.takeEphemeralPort();
      if (port < 0) {
        continue;
      }
      SimConnection c = new SimConnection(client, server, port);
      connections.add(c);
      client.outbound.add(c);
      server.inbound.add(c);
      opened++;
    }
    return opened;
  }

  private SimPod newPod(SimHost host, int slot, Service service) {
    String address = host.freeAddresses.pollFirst();
    if (address == null) {
      throw new IllegalStateException("host " + host.hostname + " has no free pod address");
    }
    return new SimPod(host, slot, service, address);
  }

  private String randomHex(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(Character.forDigit(random.nextInt(16), 16));
    }
    return s.toString();
  }

  private String randomName(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
    }
    return s.toString();
  }

  private String randomUuid() {
    String hex = randomHex(32);
    // Version 4, variant 10xx, like the uids the API server hands out.
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-4" + hex.substring(13, 16) + "-"
        + "89ab".charAt(random.nextInt(4)) + hex.substring(17, 20) + "-" + hex.substring(20);
  }

  private double between(double low, double high) {
    return low + random.nextDouble() * (high - low);
  }

  /** One machine: its identity, addresses, system daemons and the pods scheduled on it. */
  private final class SimHost {
    final int index;
    final String hostId;
    final String probeId;
    final String hostname;
    final String address;
    final String podGateway;
    final String mac;
    final String bridgeMac;
    final long bootTime;
    final int cpus;
    final long memoryTotal;
    final Deque<String> freeAddresses = new ArrayDeque<>();
    final SimPod[] pods;
    final List<ProcessInfo> daemons = new ArrayList<>();
    final List<Connection> daemonListeners = new ArrayList<>();
    int nextPid;
    long nextNetNamespace;
    long nextInode;
    double cpuPercent;
    double load1;
    double load5;
    double load15;
    long memoryAvailable;

    SimHost(int index, long startMillis, int poolSize) {
      this.index = index;
      this.hostId = randomHex(32);
      // The start time tells two runs with one seed apart, so a collector does not take a
      // restarted generator's first reports for replays of the previous run's.
      this.probeId = "loadgen-" + Long.toString(startMillis, 36) + "-" + index;
      this.hostname = String.format("loadgen-node-%03d", index + 1);
      this.address = "10.1." + (index / 250) + "." + (index % 250 + 2);
      String podNetwork = "10." + (64 + index / 256) + "." + (index % 256) + ".";
      this.podGateway = podNetwork + "1";
      for (int host = 2; host < 2 + poolSize; host++) {
        freeAddresses.addLast(podNetwork + host);
      }
      this.mac = String.format("02:42:0a:01:%02x:%02x", index / 256, index % 256);
      this.bridgeMac = String.format("02:42:0a:40:%02x:%02x", index / 256, index % 256);
      this.bootTime = startMillis - (long) between(3_600_000, 30L * 86_400_000);
      this.cpus = List.of(4, 8, 16, 32).get(random.nextInt(4));
      this.memoryTotal = cpus * 4L * (1L << 30);
      this.pods = new SimPod[shape.containersPerHost()];
      this.nextPid = 1200 + random.nextInt(800);
      this.nextNetNamespace = HOST_NET_NAMESPACE + 200 + random.nextInt(100);
      this.nextInode = 20_000 + random.nextInt(10_000);
      daemon(1, 0, "systemd", "/sbin/init", "/init.scope", 0, 0);
      daemon(612, 1, "sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
          "/system.slice/ssh.service", 22, 5 << 20);
      daemon(701, 1, "containerd", "/usr/bin/containerd", "/system.slice/containerd.service", 0,
          48 << 20);
      daemon(802, 1, "dockerd",
          "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
          "/system.slice/docker.service", 0, 90 << 20);
      daemon(950, 1, "kubelet", "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml "
          + "--container-runtime-endpoint=unix:///var/run/cri-dockerd.sock",
          "/system.slice/kubelet.service", 10250, 120 << 20);
    }

    private void daemon(int pid, int ppid, String comm, String cmdline, String cgroup, int listenPort,
        long rss) {
      long startedAt = bootTime + 2_000 + pid * 10L;
      daemons.add(new ProcessInfo(pid, ppid, startTime(startedAt), startedAt, comm, cmdline, "root",
          0.1, rss, 1 + pid % 12, 20 + pid % 50, cgroup, HOST_NET_NAMESPACE, null, null, null));
      if (listenPort > 0) {
        daemonListeners.add(new Connection("tcp", "0.0.0.0", listenPort, "0.0.0.0", 0,
            Connection.LISTEN, pid, nextInode++, SOURCE, HOST_NET_NAMESPACE, null, null, null, null,
            null, null));
      }
    }

    long startTime(long startedAt) {
      return (startedAt - bootTime) * CLOCK_TICKS_PER_SECOND / 1000;
    }

    /** New load figures for this tick, drifting rather than jumping. */
    void wander() {
      cpuPercent = Math.min(95, Math.max(3, (cpuPercent == 0 ? between(10, 40) : cpuPercent)
          + between(-5, 5)));
      load1 = cpus * cpuPercent / 100 * between(0.8, 1.2);
      load5 = load5 == 0 ? load1 : load5 * 0.9 + load1 * 0.1;
      load15 = load15 == 0 ? load1 : load15 * 0.97 + load1 * 0.03;
      long used = 0;
      for (SimPod pod : pods) {
        pod.wander();
        used += pod.rss;
      }
      memoryAvailable = Math.max(memoryTotal / 20, memoryTotal - (2L << 30) - used);
    }

    Report report() {
      List<ProcessInfo> processes = new ArrayList<>(daemons);
      List<Connection> sockets = new ArrayList<>(daemonListeners);
      List<ContainerInfo> containers = new ArrayList<>(pods.length);
      for (SimPod pod : pods) {
        pod.describe(processes, sockets);
        containers.add(pod.container());
      }
      return new Report(hostId, probeId, tick + 1, now, intervalMs, hostInfo(), processes, sockets,
          containers, List.of());
    }

    private HostInfo hostInfo() {
      List<HostInfo.NetInterface> interfaces = List.of(
          new HostInfo.NetInterface("lo", "00:00:00:00:00:00", List.of("127.0.0.1"), true),
          new HostInfo.NetInterface("eth0", mac, List.of(address), true),
          new HostInfo.NetInterface("cni0", bridgeMac, List.of(podGateway), true));
      return new HostInfo(hostname, KERNEL, OS, List.of(address, podGateway, "127.0.0.1"), cpus,
          memoryTotal, load1, interfaces, memoryAvailable, cpuPercent, load5, load15, bootTime);
    }
  }

  /** A pod with its one container, the processes in it and the connections it holds. */
  private final class SimPod {
    final SimHost host;
    final int slot;
    final Service service;
    final String address;
    final String containerId;
    final String podUid;
    final String podName;
    final long netNamespace;
    final long startedAt;
    final int shimPid;
    final int mainPid;
    final int[] workerPids;
    final long listenInode;
    final Set<SimConnection> outbound = new LinkedHashSet<>();
    final Set<SimConnection> inbound = new LinkedHashSet<>();
    final BitSet usedPorts = new BitSet(EPHEMERAL_PORTS);
    int nextPort;
    double cpuPercent;
    long rss;

    SimPod(SimHost host, int slot, Service service, String address) {
      this.host = host;
      this.slot = slot;
      this.service = service;
      this.address = address;
      this.containerId = randomHex(64);
      this.podUid = randomUuid();
      this.podName = service.name() + "-" + templateHashes.get(service.name()) + "-" + randomName(5);
      this.netNamespace = host.nextNetNamespace++;
      this.startedAt = now;
      this.shimPid = host.nextPid++;
      this.mainPid = host.nextPid++;
      this.workerPids = new int[service.workers().size()];
      for (int i = 0; i < workerPids.length; i++) {
        workerPids[i] = host.nextPid++;
      }
      this.listenInode = service.serves() ? host.nextInode++ : 0;
      this.nextPort = random.nextInt(EPHEMERAL_PORTS);
      this.rss = service.rssBytes();
    }

    /** A free ephemeral port, taken; -1 when all are in use. */
    int takeEphemeralPort() {
      int free = usedPorts.nextClearBit(nextPort);
      if (free >= EPHEMERAL_PORTS) {
        free = usedPorts.nextClearBit(0);
        if (free >= EPHEMERAL_PORTS) {
          return -1;
        }
      }
      usedPorts.set(free);
      nextPort = (free + 1) % EPHEMERAL_PORTS;
      return EPHEMERAL_FIRST + free;
    }

    void wander() {
      cpuPercent = between(0.2, 35);
      rss = (long) (service.rssBytes() * between(0.9, 1.3));
    }

    /** The cgroup the systemd driver gives a Docker container of a burstable pod. */
    String cgroup() {
      return "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
          + podUid.replace('-', '_') + ".slice/docker-" + containerId + ".scope";
    }

    void describe(List<ProcessInfo> processes, List<Connection> sockets) {
      long start = host.startTime(startedAt);
      processes.add(new ProcessInfo(shimPid, 1, start, startedAt, "containerd-shim",
          "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " + containerId
              + " -address /run/containerd/containerd.sock",
          "root", 0.1, 9L << 20, 10, 12, "/system.slice/containerd.service", HOST_NET_NAMESPACE,
          null, null, null));
      int sockets0 = outbound.size() + inbound.size() + (service.serves() ? 1 : 0);
      processes.add(new ProcessInfo(mainPid, shimPid, start, startedAt, service.comm(),
          service.cmdline(), service.user(), cpuPercent, rss, 4 + workerPids.length * 2,
          16 + sockets0, cgroup(), netNamespace, containerId, null, null));
      for (int i = 0; i < workerPids.length; i++) {
        processes.add(new ProcessInfo(workerPids[i], mainPid, start, startedAt, service.comm(),
            service.workers().get(i), service.user(), cpuPercent / 4, rss / 8, 1, 8, cgroup(),
            netNamespace, containerId, null, null));
      }
      if (service.serves()) {
        sockets.add(new Connection("tcp", address, service.port(), "0.0.0.0", 0, Connection.LISTEN,
            mainPid, listenInode, SOURCE, netNamespace, null, null, null, null, null, null));
      }
      for (SimConnection c : outbound) {
        sockets.add(new Connection("tcp", address, c.clientPort, c.server.address,
            c.server.service.port(), "ESTABLISHED", mainPid, c.clientInode, SOURCE, netNamespace,
            c.bytesUp, c.bytesDown, c.rttMicros, c.retransmits, c.openedAt, null));
      }
      for (SimConnection c : inbound) {
        sockets.add(new Connection("tcp", address, service.port(), c.client.address, c.clientPort,
            "ESTABLISHED", mainPid, c.serverInode, SOURCE, netNamespace, c.bytesDown, c.bytesUp,
            c.rttMicros, c.retransmits, c.openedAt, null));
      }
    }

    ContainerInfo container() {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("io.kubernetes.pod.name", podName);
      labels.put("io.kubernetes.pod.namespace", ServiceGraph.NAMESPACE);
      labels.put("io.kubernetes.pod.uid", podUid);
      labels.put("io.kubernetes.container.name", service.name());
      labels.put("io.kubernetes.docker.type", "container");
      labels.put("app", service.name());
      labels.put("app.kubernetes.io/name", service.name());
      labels.put("app.kubernetes.io/part-of", ServiceGraph.PART_OF);
      labels.put("app.kubernetes.io/version", service.image().substring(service.image().lastIndexOf(':') + 1));
      labels.put("pod-template-hash", templateHashes.get(service.name()));
      // dockershim's naming: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>
      String name = "k8s_" + service.name() + "_" + podName + "_" + ServiceGraph.NAMESPACE + "_"
          + podUid + "_0";
      return new ContainerInfo(containerId, "docker", name, service.image(), labels, "running",
          mainPid, List.of(address), List.of(), podUid, podName, ServiceGraph.NAMESPACE,
          cpuPercent, rss);
    }
  }

  /** One TCP connection from a client pod to a server pod's service port, both ends reported. */
  private final class SimConnection {
    final SimPod client;
    final SimPod server;
    final int clientPort;
    final long clientInode;
    final long serverInode;
    final long openedAt;
    final double upBytesPerSecond;
    final double downBytesPerSecond;
    final long baseRttMicros;
    long bytesUp;
    long bytesDown;
    long rttMicros;
    long retransmits;

    SimConnection(SimPod client, SimPod server, int clientPort) {
      this.client = client;
      this.server = server;
      this.clientPort = clientPort;
      this.clientInode = client.host.nextInode++;
      this.serverInode = server.host.nextInode++;
      this.openedAt = now;
      this.upBytesPerSecond = between(512, 16_384);
      this.downBytesPerSecond = between(2_048, 131_072);
      // Inside one host a packet never leaves the bridge; across hosts it crosses the network.
      this.baseRttMicros = client.host == server.host ? 40 + random.nextInt(80)
          : 250 + random.nextInt(700);
      // The handshake and a first request and answer.
      this.bytesUp = 200 + random.nextInt(800);
      this.bytesDown = 400 + random.nextInt(4000);
      this.rttMicros = baseRttMicros;
    }

    void grow(long elapsedMs) {
      double seconds = elapsedMs / 1000.0;
      bytesUp += (long) (upBytesPerSecond * seconds * between(0.5, 1.5));
      bytesDown += (long) (downBytesPerSecond * seconds * between(0.5, 1.5));
      rttMicros = (long) (baseRttMicros * between(0.8, 1.4));
      if (client.host != server.host && random.nextInt(100) == 0) {
        retransmits++;
      }
    }
  }
}
