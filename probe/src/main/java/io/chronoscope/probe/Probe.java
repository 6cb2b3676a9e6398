package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

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
  private long seq;
  // eBPF short-lived connections (issue 3)
  private static final java.util.concurrent.atomic.AtomicBoolean EBPF_UNAVAILABLE_LOGGED =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final EbpfConnectionTracer ebpf; // null when eBPF cannot load; ebpfLine says why
  private final String ebpfLine;

  public Probe(ProbeConfig config) {
    this(config, null);
  }

  /** With {@code sockets} forced instead of chosen, so tests can exercise the fallback. */
  Probe(ProbeConfig config, SocketSource sockets) {
    this.config = config;
    Path procRoot = config.procRoot();
    this.hostId = config.hostId() != null ? config.hostId() : HostFacts.hostId(procRoot);
    this.host = new HostFacts(procRoot);
    this.processes = new ProcessTable(procRoot, new UserNames(Path.of("/etc/passwd")));
    this.owners = new SocketOwners(procRoot);
    String ownersLine = "socket owners: every /proc/PID/fd symlink under " + procRoot
        + " is read each scan (socket inode -> pid)";
    // eBPF short-lived connections (issue 3): optional, the probe works without it.
    EbpfConnectionTracer tracer = null;
    String tracerLine;
    try {
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
    this.sockets = chosen;
    this.explanation = List.of(why.get(0), why.get(1), ownersLine);
  }

  private static String describe(SocketSource source) {
    return source instanceof SockDiagSource
        ? "sock_diag via netlink (NETLINK_SOCK_DIAG, AF_INET and AF_INET6)"
        : "/proc/net/tcp and /proc/net/tcp6 (procfs)";
  }

  /** One full report of this host; seq grows by one per call. */
  public synchronized Report scan() {
    long timestamp = System.currentTimeMillis();
    List<ProcessInfo> processList = processes.scan();
    owners.scan(processes.fileHolders());
    List<Connection> connections;
    try {
      connections = sockets.tcp(owners::pidOf);
    } catch (IOException e) {
      throw new UncheckedIOException("scan " + (seq + 1) + " could not list sockets from "
          + sockets.name(), e);
    }
    if (ebpf != null) { // connections that opened and closed since the previous scan
      connections = new java.util.ArrayList<>(connections);
      connections.addAll(ebpf.drainClosed());
    }
    return new Report(hostId, config.probeId(), ++seq, timestamp, config.intervalMs(),
        host.read(), processList, connections);
  }

  /** Human lines saying which sources are active and why the others are not. */
  public List<String> explain() {
    List<String> lines = new java.util.ArrayList<>(explanation);
    lines.add(ebpf != null ? "ebpf: active: " + ebpf.describe() : ebpfLine);
    return List.copyOf(lines);
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
    if (ebpf != null) {
      ebpf.close();
    }
    sockets.close();
  }
}
