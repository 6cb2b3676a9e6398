package io.chronoscope.collector;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.util.HashMap;
import java.util.Map;

/**
 * What one host's report says about addresses: which network namespace owns each address the
 * host uses, and which process listens on which address and port in each namespace. The world's
 * address book is the union of every host's.
 */
final class HostAddresses {
  /** Listening sockets on the wildcard address are filed under this address. */
  static final String ANY = "*";

  private final Map<String, Long> owned = new HashMap<>();
  /** Namespace → address (or {@link #ANY}) → port → pid. */
  private final Map<Long, Map<String, Map<Integer, Integer>>> listeners = new HashMap<>();

  HostAddresses(Report r) {
    // Live sockets first: a connection that closed since the last scan may name the namespace
    // of a pod that is gone and whose address a new pod already holds.
    for (Connection c : r.connections()) {
      if (c.closedAt() == null) {
        own(c.localAddress(), WorldBuilder.netns(c));
      }
    }
    for (Connection c : r.connections()) {
      long ns = WorldBuilder.netns(c);
      own(c.localAddress(), ns);
      if (c.listening() && c.pid() != null) {
        String address = WorldBuilder.isWildcard(c.localAddress()) ? ANY : c.localAddress();
        listeners.computeIfAbsent(ns, k -> new HashMap<>())
            .computeIfAbsent(address, k -> new HashMap<>(4))
            .put(c.localPort(), c.pid());
      }
    }
    Map<String, Long> namespaceOfContainer = new HashMap<>();
    for (ProcessInfo p : r.processes()) {
      if (p.containerId() != null && p.netNamespace() != null) {
        namespaceOfContainer.putIfAbsent(p.containerId(), p.netNamespace());
      }
    }
    for (ContainerInfo c : r.containers()) {
      Long ns = namespaceOfContainer.get(c.id());
      if (ns != null) {
        c.ips().forEach(ip -> own(ip, ns));
      }
    }
    if (r.host() != null) {
      long hostNs = hostNamespace(r);
      r.host().addresses().forEach(a -> own(a, hostNs));
    }
  }

  /** The host's own namespace is init's; 0 when the probe does not say, as for its sockets. */
  private static long hostNamespace(Report r) {
    for (ProcessInfo p : r.processes()) {
      if (p.pid() == 1 && p.netNamespace() != null) {
        return p.netNamespace();
      }
    }
    return 0L;
  }

  /** A socket's evidence comes first: it says the namespace the address really lives in. */
  private void own(String address, long ns) {
    if (address != null && !WorldBuilder.isWildcard(address) && !WorldBuilder.isLoopback(address)) {
      owned.putIfAbsent(address, ns);
    }
  }

  /** Routable addresses this host owns, each with the namespace it lives in. */
  Map<String, Long> owned() {
    return owned;
  }

  /** The pid listening on {@code address:port} in namespace {@code ns}, on it or on the wildcard. */
  Integer listener(long ns, String address, int port) {
    Map<String, Map<Integer, Integer>> byAddress = listeners.get(ns);
    if (byAddress == null) {
      return null;
    }
    Map<Integer, Integer> exact = byAddress.get(address);
    Integer pid = exact == null ? null : exact.get(port);
    if (pid != null) {
      return pid;
    }
    Map<Integer, Integer> any = byAddress.get(ANY);
    return any == null ? null : any.get(port);
  }

  /**
   * Every port a peer can reach on an address this host owns, with the pid answering it: what
   * another host resolves its connections to this address through.
   */
  Map<Integer, Integer> reachable(String address) {
    Long ns = owned.get(address);
    Map<String, Map<Integer, Integer>> byAddress = ns == null ? null : listeners.get(ns);
    if (byAddress == null) {
      return Map.of();
    }
    Map<Integer, Integer> any = byAddress.get(ANY);
    Map<Integer, Integer> exact = byAddress.get(address);
    if (any == null) {
      return exact == null ? Map.of() : exact;
    }
    if (exact == null) {
      return any;
    }
    Map<Integer, Integer> both = new HashMap<>(any);
    both.putAll(exact);
    return both;
  }
}
