package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.probe.docker.DockerMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scans the host it runs on into full {@link Report}s: host facts, every process, every TCP
 * socket with its owning process. Not for concurrent use: scans are serialised.
 *
 * <pre>{@code
 * try (Probe probe = new Probe(ProbeConfig.defaults())) {
 *   Report report = probe.scan();
 * }
 * }</pre>
 */
public final class Probe implements AutoCloseable {
  private final ProbeConfig config;
  private final String hostId;
  private final HostFacts host;
  private final ProcessTable processes;
  private final SocketOwners owners;
  private final SocketSource sockets;
  private final List<String> explanation;
  /** Container names, images, ports from dockerd; kept current by its own thread. */
  private final DockerMetadata docker = new DockerMetadata(DockerMetadata.socketFromEnvironment());
  private long seq;
  // issue 3, processes and containers: fds/cgroup/netns/container, short-lived processes
  private final ProcessDetails details;
  private final CgroupStats cgroups;
  private final ProcConnector connector;
  private final List<String> processExplanation = new ArrayList<>();
  // Issue 3, network: every net namespace, conntrack NAT and short-lived flows (null when forced
  // to one socket source by a caller, or unavailable).
  private NetNamespaces namespaces;
  private ConntrackSource conntrack;
  private final List<String> netExplanation = new ArrayList<>();
  // eBPF short-lived connections (issue 3)
  private static final java.util.concurrent.atomic.AtomicBoolean EBPF_UNAVAILABLE_LOGGED =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final EbpfConnectionTracer ebpf; // null when eBPF cannot load; ebpfLine says why
  private final String ebpfLine;
  private final ScanPhases phases = new ScanPhases();

  public Probe(ProbeConfig config) {
    this(config, null);
  }

  /** With {@code sockets} forced instead of chosen, so tests can exercise the fallback. */
  Probe(ProbeConfig config, SocketSource sockets) {
    this.config = config;
    Path procRoot = config.procRoot();
    this.hostId = config.hostId() != null ? config.hostId() : HostFacts.hostId(procRoot);
    this.host = new HostFacts(procRoot);
    TaskIterator tasks = null;
    String tasksLine = null;
    if (config.ebpf() && procRoot.equals(ProbeConfig.DEFAULT_PROC_ROOT)) {
      try {
        tasks = TaskIterator.start();
      } catch (EbpfConnectionTracer.Unavailable e) {
        tasksLine = " (BPF task iterator not used: " + e.getMessage() + ")";
      }
    }
    this.processes = new ProcessTable(procRoot, new UserNames(Path.of("/etc/passwd")), tasks);
    this.owners = new SocketOwners(procRoot);
    this.details = new ProcessDetails(procRoot);
    this.cgroups = new CgroupStats(procRoot.resolve("self/mounts"));
    this.connector = openConnector(procRoot, details.hostNetNamespace(), processExplanation);
    processExplanation.add(processes.describe() + (tasksLine == null ? "" : tasksLine));
    processExplanation.add(cgroups.describe());
    String ownersLine = "socket owners: every /proc/PID/fd symlink under " + procRoot
        + " is read each scan (socket inode -> pid)";
    // eBPF short-lived connections (issue 3): optional, the probe works without it.
    EbpfConnectionTracer tracer = null;
    String tracerLine;
    try {
      if (!config.ebpf()) {
        throw new EbpfConnectionTracer.Unavailable("turned off by configuration (--no-ebpf)");
      }
      tracer = EbpfConnectionTracer.start();
      tracerLine = "ebpf: active: " + tracer.describe();
    } catch (EbpfConnectionTracer.Unavailable e) {
      tracerLine = "ebpf: not active: " + e.getMessage()
          + "; using conntrack events and polling instead";
      if (!EBPF_UNAVAILABLE_LOGGED.getAndSet(true)) {
        System.getLogger(Probe.class.getName()).log(System.Logger.Level.WARNING, tracerLine);
      }
    }
    this.ebpf = tracer;
    this.ebpfLine = tracerLine;
    if (sockets != null) {
      this.sockets = sockets;
      this.explanation = List.of(
          "socket source: " + describe(sockets) + ", chosen by the caller",
          "other source not tried: the caller chose this one",
          ownersLine);
      return;
    }
    SocketSource chosen;
    List<String> why;
    try {
      SockDiagSource diag = SockDiagSource.open();
      int found;
      try {
        found = diag.tcp(inode -> null).size();
      } catch (IOException | RuntimeException e) {
        diag.close();
        throw e;
      }
      chosen = diag;
      why = List.of(
          "socket source: " + describe(diag) + ", active: a trial dump listed " + found
              + " TCP sockets",
          "/proc/net/tcp fallback not used: sock_diag works, and its binary records need no"
              + " text formatting by the kernel or parsing by the probe");
    } catch (IOException | RuntimeException | LinkageError e) {
      chosen = new ProcNetSource(procRoot);
      why = List.of(
          "socket source: " + describe(chosen) + ", active as the fallback",
          "sock_diag via netlink not used: " + e.getClass().getSimpleName() + ": "
              + e.getMessage());
    }
    this.sockets = inEveryNamespace(chosen);
    if (ebpf != null && this.sockets instanceof NamespacedSockets namespaced) {
      namespaced.gateWith(new SockDiagSource.TcpChanges() {
        @Override
        public long in(long netNamespace) {
          return ebpf.tcpChanges(netNamespace);
        }

        @Override
        public void gone(long netNamespace) {
          ebpf.forgetNamespace(netNamespace);
        }
      });
      netExplanation.add("steady scans: a namespace's TCP sockets are listed again only after"
          + " eBPF counted a state change in it, and every 10 s for bytes, RTT and"
          + " retransmits; TIME_WAIT sockets are left out (eBPF reports the closed connections)");
    }
    this.explanation = List.of(why.get(0), why.get(1), ownersLine);
  }

  private static ProcConnector openConnector(Path procRoot, long hostNetNamespace,
      List<String> explanation) {
    try {
      ProcConnector opened =
          ProcConnector.open(procRoot, hostNetNamespace, new UserNames(Path.of("/etc/passwd")));
      explanation.add("short-lived processes: proc connector (NETLINK_CONNECTOR, CN_IDX_PROC)"
          + " active: fork/exec/exit events, exit codes of processes that lived between scans");
      return opened;
    } catch (RuntimeException | LinkageError e) {
      explanation.add("short-lived processes: proc connector not used, only processes alive at"
          + " a scan are reported: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return null;
    }
  }

  private static String describe(SocketSource source) {
    return source instanceof SockDiagSource
        ? "sock_diag via netlink (NETLINK_SOCK_DIAG, AF_INET and AF_INET6)"
        : "/proc/net/tcp and /proc/net/tcp6 (procfs)";
  }

  /** One full report of this host; seq grows by one per call. */
  public synchronized Report scan() {
    long timestamp = System.currentTimeMillis();
    phases.start();
    List<ProcessInfo> processList = processes.scan();
    int[] fileHolders = processes.fileHolders();
    phases.end("processes");
    if (namespaces != null) {
      namespaces.refresh(fileHolders, processes::startTimeOf);
      phases.end("namespaces");
    }
    List<Connection> connections;
    try {
      connections = sockets.tcp(owners);
    } catch (IOException e) {
      throw new UncheckedIOException("scan " + (seq + 1) + " could not list sockets from "
          + sockets.name(), e);
    }
    phases.end("sockets");
    // Owners after sockets: only a new socket, a started or exited process, or the periodic
    // refresh makes the fd walk worth its cost; then the owners just looked up are redone.
    boolean sameSockets = sockets instanceof NamespacedSockets namespaced
        && namespaced.sameSockets();
    if (owners.refresh(fileHolders, processes.processesChanged(), connections, sameSockets)) {
      List<Connection> owned = new ArrayList<>(connections.size());
      for (Connection c : connections) {
        Integer pid = c.inode() == 0 ? null : owners.pidOf(c.inode());
        owned.add(java.util.Objects.equals(pid, c.pid()) ? c : c.withPid(pid));
      }
      connections = owned;
    }
    phases.end("socket owners");
    processList = details.complete(processList, owners,
        connector == null ? List.of() : connector.exitedSince());
    phases.end("process details");
    List<ContainerInfo> containers = cgroups.containersFromCgroups(processList);
    phases.end("containers");
    List<NatFlow> nat = null;
    if (conntrack != null) {
      try {
        ConntrackSource.Scan tracked = conntrack.scan(connections, ebpf == null);
        nat = tracked.nat();
        // Conntrack's short-lived flows are the fallback; eBPF sees the same ones with their pids.
        if (ebpf == null && !tracked.shortLived().isEmpty()) {
          connections = new ArrayList<>(connections);
          connections.addAll(tracked.shortLived());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("scan " + (seq + 1) + " could not dump conntrack", e);
      }
    }
    phases.end("conntrack");
    if (ebpf != null) { // connections that closed since the previous scan
      connections = new ArrayList<>(connections);
      connections.addAll(ebpf.drainClosed());
      phases.end("ebpf");
    }
    Report report = new Report(hostId, config.probeId(), ++seq, timestamp, config.intervalMs(),
        host.read(), processList, connections, containers, nat);
    phases.end("host");
    Report enriched = docker.enrich(report);
    phases.end("docker");
    phases.finish();
    return enriched;
  }

  /**
   * CPU time of the calling thread per phase of the last scan, in nanoseconds, in scan order:
   * where a tick's cost goes, for the benchmark and for anyone asking why the probe is busy.
   */
  public Map<String, Long> lastScanPhases() {
    return phases.last();
  }

  /** Human lines saying which sources are active and why the others are not. */
  public List<String> explain() {
    List<String> lines = new ArrayList<>(explanation);
    lines.add(ebpf != null ? "ebpf: active: " + ebpf.describe() : ebpfLine);
    if (namespaces != null) {
      lines.add(namespaces.explain());
    }
    lines.addAll(netExplanation);
    lines.addAll(processExplanation);
    lines.add(docker.explain());
    return lines;
  }

  /**
   * Issue 3: wraps the chosen host source so every network namespace is listed too (sock_diag
   * sockets opened inside each through setns), and starts conntrack for NAT and short-lived
   * flows. Each part that cannot start is explained, and the probe goes on without it.
   */
  private SocketSource inEveryNamespace(SocketSource hostSource) {
    SocketSource result = hostSource;
    Long hostNs = null;
    try {
      namespaces = new NetNamespaces(config.procRoot());
      hostNs = namespaces.host();
      result = new NamespacedSockets(hostSource, namespaces);
      netExplanation.add("namespaced sockets: TCP with tcp_info and connected UDP of every"
          + " network namespace found under " + config.procRoot() + "/*/ns/net and /run/netns");
    } catch (RuntimeException | LinkageError e) {
      namespaces = null;
      netExplanation.add("other network namespaces not listed: " + e.getMessage());
    }
    try {
      conntrack = ConntrackSource.open(hostNs, 60_000);
      netExplanation.add("conntrack via ctnetlink (NETLINK_NETFILTER), active: dump of "
          + conntrack.size() + " flows, NEW/UPDATE/DESTROY events, re-dump every 60 s; reports"
          + " NATed flows and flows that ended between scans (source conntrack)");
    } catch (IOException | RuntimeException | LinkageError e) {
      netExplanation.add("conntrack not used (no NAT mapping, no short-lived fallback): "
          + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return result;
  }

  public ProbeConfig config() {
    return config;
  }

  /** The host id reports carry: the configured one, else the machine-id. */
  public String hostId() {
    return hostId;
  }

  @Override
  public void close() {
    synchronized (this) { // not under a scan reading through the files it closes
      processes.close();
    }
    if (ebpf != null) {
      ebpf.close();
    }
    if (conntrack != null) {
      conntrack.close();
    }
    sockets.close();
    if (connector != null) {
      connector.close();
    }
    docker.close();
  }
}
