package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.chronoscope.model.Connection;
import io.chronoscope.model.NatFlow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel's connection tracking table through ctnetlink (NETLINK_NETFILTER): one dump at
 * start, then NEW/UPDATE/DESTROY events on a daemon thread keep a table of flows current, and a
 * re-dump every {@code resyncMs} (or after the kernel dropped events) heals what was lost.
 *
 * <p>Two things come out of it, per scan, through {@link #scan(List)}:
 * <ul>
 *   <li>NATed flows (destination or source NAT), live or ended since the last scan, so the
 *   collector can map a connection to a DNAT'd address (Docker {@code -p}, ClusterIP) to the real
 *   backend. Flows without NAT are left out: the socket tables already show both their ends.
 *   <li>Short-lived connections: flows that ended (TCP reached TIME_WAIT/CLOSE, or the entry was
 *   destroyed) without any scan having seen a socket of theirs, as {@link Connection}s with
 *   source {@code conntrack}, {@code openedAt} and {@code closedAt}: the fallback where eBPF
 *   cannot load. Each is reported once.
 * </ul>
 * Conntrack only tracks flows in a namespace once some rule there uses it (kube-proxy and Docker
 * install such rules). This source watches the probe's own namespace, where those NAT rules live.
 */
final class ConntrackSource implements AutoCloseable {
  static final String NAME = "conntrack";
  /** At most this many ended flows wait for the next scan; beyond, the oldest are dropped. */
  static final int MAX_ENDED = 50_000;

  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_NETFILTER = 12;
  private static final int NFNL_SUBSYS_CTNETLINK = 1;
  private static final int IPCTNL_MSG_CT_NEW = 0;
  private static final int IPCTNL_MSG_CT_GET = 1;
  private static final int IPCTNL_MSG_CT_DELETE = 2;
  // nl_groups bitmask: group n is bit n-1. NFNLGRP_CONNTRACK_NEW 1, _UPDATE 2, _DESTROY 3.
  private static final int EVENT_GROUPS = 1 | 2 | 4;
  private static final short NLM_F_REQUEST_DUMP = 0x1 | 0x300;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NLMSG_HEADER = 16;
  private static final int NFGENMSG = 4;
  private static final int NLA_TYPE_MASK = 0x3fff; // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
  private static final int CTA_TUPLE_ORIG = 1;
  private static final int CTA_TUPLE_REPLY = 2;
  private static final int CTA_PROTOINFO = 4;
  private static final int CTA_TUPLE_IP = 1;
  private static final int CTA_TUPLE_PROTO = 2;
  private static final int CTA_IP_V4_SRC = 1;
  private static final int CTA_IP_V4_DST = 2;
  private static final int CTA_IP_V6_SRC = 3;
  private static final int CTA_IP_V6_DST = 4;
  private static final int CTA_PROTO_NUM = 1;
  private static final int CTA_PROTO_SRC_PORT = 2;
  private static final int CTA_PROTO_DST_PORT = 3;
  private static final int CTA_PROTOINFO_TCP = 1;
  private static final int CTA_PROTOINFO_TCP_STATE = 1;
  /** enum tcp_conntrack, include/uapi/linux/netfilter/nf_conntrack_tcp.h. */
  private static final String[] TCP_STATES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED",
      "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};
  private static final int RECEIVE_BYTES = 256 * 1024;

  private final Long netNamespace;
  private final long resyncMs;
  private final int dumpFd;
  private final int eventFd;
  private final Memory dumpBuffer = new Memory(RECEIVE_BYTES);
  private final Map<Key, Flow> live = new HashMap<>();
  private final List<Flow> ended = new ArrayList<>();
  // Kept with live so a scan costs what is NATed or not yet matched, not every tracked flow:
  // a busy host tracks tens of thousands.
  private final Set<Flow> unmatched = new java.util.LinkedHashSet<>();
  private final Set<Flow> natted = new java.util.LinkedHashSet<>();
  private final Thread events;
  private volatile boolean closed;
  private boolean resync;
  private long lastDumpMs;
  private long droppedEnded;
  private int sequence;

  /** Identity of a flow: protocol and original tuple. */
  private record Key(String protocol, NatFlow.Tuple original) {}

  /** One tracked flow and what the scans have made of it. */
  private static final class Flow {
    NatFlow flow;
    final long openedAt;
    Long closedAt;
    boolean seen;

    Flow(NatFlow flow, long openedAt) {
      this.flow = flow;
      this.openedAt = openedAt;
    }
  }

  /** What one scan takes from conntrack. */
  record Scan(List<NatFlow> nat, List<Connection> shortLived) {}

  private ConntrackSource(Long netNamespace, long resyncMs, int dumpFd, int eventFd) {
    this.netNamespace = netNamespace;
    this.resyncMs = resyncMs;
    this.dumpFd = dumpFd;
    this.eventFd = eventFd;
    this.events = new Thread(this::readEvents, "chronoscope-conntrack-events");
    events.setDaemon(true);
  }

  /**
   * Subscribes to events and dumps the table once; throws (LastErrorException, IOException,
   * LinkageError) where ctnetlink is missing or refused.
   */
  static ConntrackSource open(Long netNamespace, long resyncMs) throws IOException {
    int dumpFd = socket();
    int eventFd;
    try {
      eventFd = socket();
    } catch (RuntimeException e) {
      LibC.close(dumpFd);
      throw e;
    }
    ConntrackSource source = new ConntrackSource(netNamespace, resyncMs, dumpFd, eventFd);
    try {
      Memory address = new Memory(12);
      address.clear();
      address.setShort(0, (short) AF_NETLINK);
      address.setInt(8, EVENT_GROUPS);
      NetCalls.bind(eventFd, address, 12);
      // A burst of short connections must not overflow the event queue: ask for 8 MiB, as root
      // beyond net.core.rmem_max.
      Memory size = new Memory(4);
      size.setInt(0, 8 << 20);
      try {
        LibC.setsockopt(eventFd, LibC.SOL_SOCKET, NetCalls.SO_RCVBUFFORCE, size, 4);
      } catch (LastErrorException notRoot) {
        LibC.setsockopt(eventFd, LibC.SOL_SOCKET, NetCalls.SO_RCVBUF, size, 4);
      }
      timeout(eventFd, 1); // lets the event thread notice close()
      timeout(dumpFd, 5);
      synchronized (source) {
        source.dump(System.currentTimeMillis());
      }
      source.events.start();
      return source;
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    }
  }

  private static int socket() {
    return LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  }

  private static void timeout(int fd, long seconds) {
    Memory timeval = new Memory(16);
    timeval.setLong(0, seconds);
    timeval.setLong(8, 0);
    LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 16);
  }

  /** Flows tracked now; for --explain. */
  synchronized int size() {
    return live.size();
  }

  /**
   * NATed flows, live or ended since the last call, and the flows that ended unseen by any scan
   * as short-lived connections. {@code scanned} are the sockets of this scan: a flow matching
   * one of them (either end, before or after NAT) is seen and never reported as short-lived.
   */
  synchronized Scan scan(List<Connection> scanned) throws IOException {
    return scan(scanned, true);
  }

  /**
   * With {@code shortLived} false (eBPF reports those), no flow is matched against the sockets:
   * only the NAT mapping is wanted, and the short-lived list comes back empty.
   */
  synchronized Scan scan(List<Connection> scanned, boolean shortLived) throws IOException {
    if (!shortLived) {
      long now = System.currentTimeMillis();
      if (resync || now - lastDumpMs >= resyncMs) {
        dump(now);
      }
      unmatched.clear();
      List<NatFlow> nat = new ArrayList<>(natted.size());
      for (Flow f : natted) {
        nat.add(f.flow);
      }
      for (Flow f : ended) {
        if (isNat(f.flow) && !live.containsKey(key(f.flow))) {
          nat.add(f.flow);
        }
      }
      ended.clear();
      return new Scan(nat, List.of());
    }
    return scanMatching(scanned);
  }

  private Scan scanMatching(List<Connection> scanned) throws IOException {
    long now = System.currentTimeMillis();
    if (resync || now - lastDumpMs >= resyncMs) {
      dump(now);
    }
    // Keys are made only of sockets whose port pair some flow not yet matched has: a steady
    // scan has few such flows, and a key for each of 20,000 sockets was most of this call.
    long[] wanted = unmatchedPortPairs();
    Set<Key> sockets = new HashSet<>();
    if (wanted.length > 0) {
      for (Connection c : scanned) {
        if (!c.listening() && c.remotePort() != 0
            && Arrays.binarySearch(wanted, portPair(c.localPort(), c.remotePort())) >= 0) {
          sockets.add(new Key(c.protocol(), new NatFlow.Tuple(c.localAddress(), c.localPort(),
              c.remoteAddress(), c.remotePort())));
        }
      }
    }
    for (Iterator<Flow> it = unmatched.iterator(); it.hasNext(); ) {
      Flow f = it.next();
      mark(f, sockets);
      if (f.seen) {
        it.remove();
      }
    }
    List<NatFlow> nat = new ArrayList<>(natted.size());
    for (Flow f : natted) {
      nat.add(f.flow);
    }
    List<Connection> shortLived = new ArrayList<>();
    for (Flow f : ended) {
      mark(f, sockets);
      if (isNat(f.flow) && !live.containsKey(key(f.flow))) {
        nat.add(f.flow);
      }
      if (!f.seen) {
        NatFlow.Tuple o = f.flow.original();
        shortLived.add(new Connection(f.flow.protocol(), o.srcAddress(), o.srcPort(),
            o.dstAddress(), o.dstPort(), "CLOSED", null, 0, NAME, netNamespace, null, null, null,
            null, f.openedAt, f.closedAt));
      }
    }
    ended.clear();
    return new Scan(nat, shortLived);
  }

  /** Sorted port pairs of both tuples of every flow no socket has been matched to yet. */
  private long[] unmatchedPortPairs() {
    long[] pairs = new long[16];
    int n = 0;
    for (Iterable<Flow> flows : List.of(unmatched, ended)) {
      for (Flow f : flows) {
        if (!f.seen) {
          if (n + 2 > pairs.length) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
          }
          pairs[n++] = portPair(f.flow.original().srcPort(), f.flow.original().dstPort());
          pairs[n++] = portPair(f.flow.reply().srcPort(), f.flow.reply().dstPort());
        }
      }
    }
    pairs = Arrays.copyOf(pairs, n);
    Arrays.sort(pairs);
    return pairs;
  }

  private static long portPair(int local, int remote) {
    return (long) local << 16 | remote;
  }

  private static void mark(Flow f, Set<Key> sockets) {
    if (f.seen) {
      return;
    }
    NatFlow.Tuple o = f.flow.original();
    NatFlow.Tuple r = f.flow.reply();
    // The client's socket shows the original tuple; the server's the reply tuple, its own view.
    f.seen = sockets.contains(new Key(f.flow.protocol(), o))
        || sockets.contains(new Key(f.flow.protocol(), r));
  }

  /** Destination NAT, or source NAT (masquerade): the reply does not go back to the sender. */
  static boolean isNat(NatFlow flow) {
    NatFlow.Tuple o = flow.original();
    NatFlow.Tuple r = flow.reply();
    return flow.isDestinationNat()
        || !(o.srcAddress().equals(r.dstAddress()) && o.srcPort() == r.dstPort());
  }

  private static Key key(NatFlow flow) {
    return new Key(flow.protocol(), flow.original());
  }

  /** Replaces the table with a fresh dump; flows missing from it ended unnoticed. */
  private void dump(long now) throws IOException {
    int seq = ++sequence;
    Memory request = new Memory(NLMSG_HEADER + NFGENMSG);
    request.clear();
    request.setInt(0, (int) request.size());
    request.setShort(4, (short) (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET));
    request.setShort(6, NLM_F_REQUEST_DUMP);
    request.setInt(8, seq);
    // nfgen_family AF_UNSPEC: IPv4 and IPv6 flows in one dump
    Set<Key> present = new HashSet<>();
    ByteBuffer in = dumpBuffer.getByteBuffer(0, RECEIVE_BYTES).order(ByteOrder.nativeOrder());
    try {
      Memory kernel = new Memory(12);
      kernel.clear();
      kernel.setShort(0, (short) AF_NETLINK);
      LibC.sendto(dumpFd, request, request.size(), 0, kernel, 12);
      boolean done = false;
      while (!done) {
        int length = (int) receive(dumpFd, dumpBuffer);
        for (int pos = 0; pos + NLMSG_HEADER <= length && !done; ) {
          int messageLength = in.getInt(pos);
          if (messageLength < NLMSG_HEADER || pos + messageLength > length) {
            throw new IOException("conntrack dump reply has netlink message length "
                + messageLength + " at offset " + pos + " of " + length + " bytes");
          }
          if (in.getInt(pos + 8) == seq) {
            int type = in.getShort(pos + 4) & 0xffff;
            if (type == NLMSG_DONE || type == NLMSG_ERROR) {
              int error = messageLength >= NLMSG_HEADER + 4 ? in.getInt(pos + NLMSG_HEADER) : 0;
              if (error < 0) {
                throw new IOException("conntrack dump failed: errno " + -error);
              }
              done = type == NLMSG_DONE;
            } else {
              NatFlow flow = flow(in, pos, messageLength);
              if (flow != null) {
                Key key = key(flow);
                present.add(key);
                Flow known = live.get(key);
                if (known == null) {
                  track(key, new Flow(flow, now));
                } else {
                  update(known, flow);
                }
              }
            }
          }
          pos += (messageLength + 3) & ~3;
        }
      }
    } catch (LastErrorException e) {
      throw new IOException("conntrack dump failed: errno " + e.getErrorCode(), e);
    }
    for (Iterator<Map.Entry<Key, Flow>> it = live.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Flow> e = it.next();
      if (!present.contains(e.getKey())) {
        it.remove();
        untrack(e.getValue());
        end(e.getValue(), now);
      }
    }
    resync = false;
    lastDumpMs = now;
  }

  private void readEvents() {
    Memory buffer = new Memory(RECEIVE_BYTES);
    ByteBuffer in = buffer.getByteBuffer(0, RECEIVE_BYTES).order(ByteOrder.nativeOrder());
    while (!closed) {
      int length;
      try {
        length = (int) LibC.recv(eventFd, buffer, RECEIVE_BYTES, 0);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == NetCalls.ENOBUFS) {
          synchronized (this) {
            resync = true; // the kernel dropped events: the next scan re-dumps
          }
        } else if (e.getErrorCode() != NetCalls.EAGAIN && e.getErrorCode() != LibC.EINTR
            && !closed) {
          synchronized (this) {
            resync = true;
          }
        }
        continue;
      }
      long now = System.currentTimeMillis();
      synchronized (this) {
        for (int pos = 0; pos + NLMSG_HEADER <= length; ) {
          int messageLength = in.getInt(pos);
          if (messageLength < NLMSG_HEADER || pos + messageLength > length) {
            resync = true;
            break;
          }
          event(in, pos, messageLength, now);
          pos += (messageLength + 3) & ~3;
        }
      }
    }
  }

  private void event(ByteBuffer in, int pos, int length, long now) {
    int type = in.getShort(pos + 4) & 0xffff;
    if (type >> 8 != NFNL_SUBSYS_CTNETLINK) {
      return;
    }
    NatFlow flow = flow(in, pos, length);
    if (flow == null) {
      return;
    }
    Key key = key(flow);
    if ((type & 0xff) == IPCTNL_MSG_CT_DELETE) {
      Flow known = live.remove(key);
      if (known != null) {
        untrack(known);
      }
      end(known != null ? known : new Flow(flow, now), now);
    } else if ((type & 0xff) == IPCTNL_MSG_CT_NEW) {
      Flow known = live.get(key);
      if (known == null) {
        known = track(key, new Flow(flow, now));
      } else {
        update(known, flow);
      }
      if (known.closedAt == null && ("TIME_WAIT".equals(flow.state())
          || "CLOSE".equals(flow.state()))) {
        end(known, now); // stays in the table until destroyed, but the connection is over
      }
    }
  }

  private Flow track(Key key, Flow f) {
    live.put(key, f);
    unmatched.add(f);
    if (isNat(f.flow)) {
      natted.add(f);
    }
    return f;
  }

  private void update(Flow f, NatFlow flow) {
    f.flow = flow;
    if (isNat(flow)) {
      natted.add(f);
    } else {
      natted.remove(f);
    }
  }

  private void untrack(Flow f) {
    unmatched.remove(f);
    natted.remove(f);
  }

  private void end(Flow f, long now) {
    if (f.closedAt != null) {
      return; // already ended at TIME_WAIT, reported then
    }
    f.closedAt = now;
    if (ended.size() >= MAX_ENDED) {
      ended.remove(0);
      droppedEnded++;
    }
    ended.add(f);
  }

  /** One ctnetlink message: nfgenmsg, then attributes; null without both tuples. */
  private NatFlow flow(ByteBuffer in, int pos, int length) {
    int end = pos + length;
    NatFlow.Tuple original = null;
    NatFlow.Tuple reply = null;
    int[] protocol = {-1};
    String state = null;
    for (int a = pos + NLMSG_HEADER + NFGENMSG; a + 4 <= end; ) {
      int aLength = in.getShort(a) & 0xffff;
      if (aLength < 4 || a + aLength > end) {
        break;
      }
      int aType = in.getShort(a + 2) & NLA_TYPE_MASK;
      if (aType == CTA_TUPLE_ORIG) {
        original = tuple(in, a + 4, a + aLength, protocol);
      } else if (aType == CTA_TUPLE_REPLY) {
        reply = tuple(in, a + 4, a + aLength, new int[1]);
      } else if (aType == CTA_PROTOINFO) {
        int tcp = find(in, a + 4, a + aLength, CTA_PROTOINFO_TCP);
        int s = tcp < 0 ? -1 : find(in, tcp + 4, tcp + (in.getShort(tcp) & 0xffff),
            CTA_PROTOINFO_TCP_STATE);
        if (s >= 0) {
          int n = in.get(s + 4) & 0xff;
          state = n < TCP_STATES.length ? TCP_STATES[n] : "UNKNOWN_" + n;
        }
      }
      a += (aLength + 3) & ~3;
    }
    if (original == null || reply == null) {
      return null;
    }
    return new NatFlow(protocolName(protocol[0]), original, reply, state, netNamespace);
  }

  private static NatFlow.Tuple tuple(ByteBuffer in, int from, int to, int[] protocol) {
    String src = null;
    String dst = null;
    int srcPort = 0;
    int dstPort = 0;
    byte[] address = new byte[16];
    for (int a = from; a + 4 <= to; ) {
      int aLength = in.getShort(a) & 0xffff;
      if (aLength < 4 || a + aLength > to) {
        break;
      }
      int aType = in.getShort(a + 2) & NLA_TYPE_MASK;
      if (aType == CTA_TUPLE_IP) {
        for (int b = a + 4; b + 4 <= a + aLength; ) {
          int bLength = in.getShort(b) & 0xffff;
          if (bLength < 4 || b + bLength > a + aLength) {
            break;
          }
          int bType = in.getShort(b + 2) & NLA_TYPE_MASK;
          int size = bType == CTA_IP_V4_SRC || bType == CTA_IP_V4_DST ? 4 : 16;
          if (bType >= CTA_IP_V4_SRC && bType <= CTA_IP_V6_DST && bLength - 4 >= size) {
            in.get(b + 4, address, 0, size);
            String text = IpText.of(address, 0, size);
            if (bType == CTA_IP_V4_SRC || bType == CTA_IP_V6_SRC) {
              src = text;
            } else {
              dst = text;
            }
          }
          b += (bLength + 3) & ~3;
        }
      } else if (aType == CTA_TUPLE_PROTO) {
        for (int b = a + 4; b + 4 <= a + aLength; ) {
          int bLength = in.getShort(b) & 0xffff;
          if (bLength < 4 || b + bLength > a + aLength) {
            break;
          }
          int bType = in.getShort(b + 2) & NLA_TYPE_MASK;
          if (bType == CTA_PROTO_NUM) {
            protocol[0] = in.get(b + 4) & 0xff;
          } else if (bType == CTA_PROTO_SRC_PORT) {
            srcPort = bigEndianShort(in, b + 4);
          } else if (bType == CTA_PROTO_DST_PORT) {
            dstPort = bigEndianShort(in, b + 4);
          }
          b += (bLength + 3) & ~3;
        }
      }
      a += (aLength + 3) & ~3;
    }
    return src == null || dst == null ? null : new NatFlow.Tuple(src, srcPort, dst, dstPort);
  }

  private static int find(ByteBuffer in, int from, int to, int type) {
    for (int a = from; a + 4 <= to; ) {
      int aLength = in.getShort(a) & 0xffff;
      if (aLength < 4 || a + aLength > to) {
        return -1;
      }
      if ((in.getShort(a + 2) & NLA_TYPE_MASK) == type) {
        return a;
      }
      a += (aLength + 3) & ~3;
    }
    return -1;
  }

  private static int bigEndianShort(ByteBuffer in, int at) {
    return (in.get(at) & 0xff) << 8 | (in.get(at + 1) & 0xff);
  }

  private static String protocolName(int number) {
    return switch (number) {
      case 6 -> "tcp";
      case 17 -> "udp";
      case 1 -> "icmp";
      case 58 -> "icmpv6";
      case 132 -> "sctp";
      default -> Integer.toString(number);
    };
  }

  private static long receive(int fd, Memory buffer) {
    while (true) {
      try {
        return LibC.recv(fd, buffer, RECEIVE_BYTES, 0);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.EINTR) {
          throw e;
        }
      }
    }
  }

  /** Ended flows dropped because more than {@link #MAX_ENDED} waited for one scan. */
  synchronized long droppedEnded() {
    return droppedEnded;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      events.join(3000); // the receive timeout is 1 s
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LibC.close(eventFd);
    LibC.close(dumpFd);
  }
}
