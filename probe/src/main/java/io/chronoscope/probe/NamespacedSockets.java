package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The sockets of every network namespace on the host: the probe's own through {@code host}, the
 * others through the sock_diag sockets {@link NetNamespaces} opened inside them. Every
 * connection carries its namespace's inode, since 127.0.0.1:80 in two namespaces are two
 * different endpoints. Socket owners stay global: /proc/PID/fd shows sockets of any namespace.
 */
final class NamespacedSockets implements SocketSource {
  private final SocketSource host;
  private final NetNamespaces namespaces;
  private SockDiagSource.TcpChanges changes; // null: list every namespace's TCP sockets each scan
  private java.util.Set<Long> listed = java.util.Set.of();
  private boolean sameSockets;

  NamespacedSockets(SocketSource host, NetNamespaces namespaces) {
    this.host = host;
    this.namespaces = namespaces;
  }

  SocketSource host() {
    return host;
  }

  /** From now on a namespace's TCP sockets are listed again only when {@code changes} moved. */
  synchronized void gateWith(SockDiagSource.TcpChanges changes) {
    this.changes = changes;
  }

  @Override
  public String name() {
    return host.name();
  }

  @Override
  public synchronized List<Connection> tcp(LongFunction<Integer> ownerOf) throws IOException {
    List<Connection> all = new ArrayList<>();
    Long hostNs = namespaces.host();
    List<Connection> hostSockets = host instanceof SockDiagSource diag
        ? diag.tcp(ownerOf, changes) : host.tcp(ownerOf);
    boolean same = changes != null && host instanceof SockDiagSource diag && diag.sameSockets();
    for (Connection c : hostSockets) {
      all.add(c.netNamespace() != null ? c : withNamespace(c, hostNs));
    }
    Map<Long, SockDiagSource> others = namespaces.others();
    for (Long inode : NetNamespaces.sorted(others.keySet())) {
      try {
        SockDiagSource source = others.get(inode);
        all.addAll(source.tcp(ownerOf, changes));
        same &= source.sameSockets();
      } catch (IOException closedMeanwhile) {
        // the namespace went away during this scan: its sockets went with it
      }
    }
    if (changes != null) {
      for (Long gone : listed) {
        if (!others.containsKey(gone)) {
          changes.gone(gone);
        }
      }
      same &= listed.equals(others.keySet());
      listed = others.keySet();
    }
    sameSockets = same;
    return all;
  }

  /** Whether the last call listed exactly the sockets of the call before: none is new. */
  synchronized boolean sameSockets() {
    return sameSockets;
  }

  private static Connection withNamespace(Connection c, Long netNamespace) {
    return new Connection(c.protocol(), c.localAddress(), c.localPort(), c.remoteAddress(),
        c.remotePort(), c.state(), c.pid(), c.inode(), c.source(), netNamespace, c.bytesSent(),
        c.bytesReceived(), c.rttMicros(), c.retransmits(), c.openedAt(), c.closedAt());
  }

  @Override
  public void close() {
    namespaces.close();
    host.close();
  }
}
