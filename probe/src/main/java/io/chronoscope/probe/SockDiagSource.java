package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.chronoscope.model.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * TCP and connected UDP sockets from the kernel's sock_diag netlink interface, the way ss(8)
 * lists them: binary records, no text to format or parse, so much cheaper than /proc/net/tcp on
 * a busy host. One netlink socket and one receive buffer serve every scan. A netlink socket
 * belongs to the network namespace it was created in, whichever thread uses it later: one source
 * per namespace, see {@link NetNamespaces}.
 */
final class SockDiagSource implements SocketSource {
  static final String NAME = "sock_diag";

  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int IPPROTO_TCP = 6;
  private static final int IPPROTO_UDP = 17;
  private static final int TCP_ESTABLISHED = 1;
  private static final int TCP_TIME_WAIT = 6;
  private static final int TCP_NEW_SYN_RECV = 12;
  private static final int EVERY_STATE = 0xFFFFFFFF;
  /**
   * What a gated listing asks for: TIME_WAIT and request sockets leave without a state change
   * the tracer could count, so a reused listing would keep them forever. They are connections
   * already over, which the tracer reports as closed anyway.
   */
  private static final int COUNTED_STATES =
      EVERY_STATE & ~(1 << TCP_TIME_WAIT) & ~(1 << TCP_NEW_SYN_RECV);
  /**
   * How old bytes, RTT and retransmits of a reused TCP listing may get. The topology is current
   * every scan; these counters every 10 s, which is what keeps a steady scan cheap (listing
   * 20,000 sockets costs the kernel about 40 ms of CPU).
   */
  static final long COUNTERS_MAX_AGE_NANOS = 10_000_000_000L;
  private static final int INET_DIAG_INFO = 2;
  private static final int RTA_HEADER = 4;
  // struct tcp_info offsets, include/uapi/linux/tcp.h; older kernels send a shorter struct.
  private static final int TCPI_RTT = 68;
  private static final int TCPI_TOTAL_RETRANS = 100;
  private static final int TCPI_BYTES_ACKED = 120;
  private static final int TCPI_BYTES_RECEIVED = 128;
  private static final short SOCK_DIAG_BY_FAMILY = 20;
  private static final short NLM_F_REQUEST_DUMP = 0x1 | 0x300; // NLM_F_REQUEST | NLM_F_DUMP
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NLMSG_HEADER = 16;
  private static final int INET_DIAG_REQ_V2 = 56;
  private static final int INET_DIAG_MSG = 72;
  private static final int RECEIVE_BYTES = 64 * 1024; // the kernel fills dump replies up to 32 KiB
  private static final int RECEIVE_TIMEOUT_SECONDS = 5;

  private final int fd;
  private final Long netNamespace;
  private final Memory request = new Memory(NLMSG_HEADER + INET_DIAG_REQ_V2);
  private final Memory kernel = new Memory(12); // struct sockaddr_nl, nl_pid 0: the kernel
  private final Memory receive = new Memory(RECEIVE_BYTES);
  private final ByteBuffer received;
  private final byte[] address = new byte[16];
  private int sequence;
  private boolean closed;
  // The last TCP listing of a gated scan, and the namespace's change count before it was taken.
  private List<Connection> listedTcp;
  private long listedAtChanges = -1;
  private long listedAtNanos;
  private long resolvedAtVersion = -1;
  private long[] listedUdpInodes = new long[0];
  private boolean sameSockets;

  /** Counts TCP state changes per network namespace inode; -1 when unknown. */
  interface TcpChanges {
    long in(long netNamespace);

    /** The namespace is gone; its count can be dropped. */
    default void gone(long netNamespace) {}
  }

  private SockDiagSource(int fd, Long netNamespace) {
    this.fd = fd;
    this.netNamespace = netNamespace;
    this.received = receive.getByteBuffer(0, RECEIVE_BYTES).order(ByteOrder.nativeOrder());
    kernel.clear();
    kernel.setShort(0, (short) AF_NETLINK);
  }

  /** Opens the netlink socket; throws (LastErrorException, LinkageError) where that is refused. */
  static SockDiagSource open() {
    long inode = NetNamespaces.inodeOf(java.nio.file.Path.of("/proc/thread-self/ns/net"));
    return open(inode == 0 ? null : inode);
  }

  /**
   * Opens the netlink socket in the calling thread's network namespace, whose inode
   * ({@code netNamespace}, null when unknown) every connection it reports carries.
   */
  static SockDiagSource open(Long netNamespace) {
    int fd = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    try {
      // A dump always ends with NLMSG_DONE; the timeout only stops a scan hanging on a kernel bug.
      Memory timeval = new Memory(16);
      timeval.setLong(0, RECEIVE_TIMEOUT_SECONDS);
      timeval.setLong(8, 0);
      LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 16);
      return new SockDiagSource(fd, netNamespace);
    } catch (RuntimeException e) {
      LibC.close(fd);
      throw e;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized List<Connection> tcp(LongFunction<Integer> ownerOf) throws IOException {
    if (closed) {
      throw new IOException("sock_diag source is closed");
    }
    List<Connection> connections = new ArrayList<>();
    dump(AF_INET, IPPROTO_TCP, EVERY_STATE, ownerOf, connections);
    dump(AF_INET6, IPPROTO_TCP, EVERY_STATE, ownerOf, connections);
    udp(ownerOf, connections);
    return connections;
  }

  /**
   * Like {@link #tcp(LongFunction)}, but TCP sockets are listed again only when {@code changes}
   * says the namespace's TCP sockets changed state since the last listing, or its counters are
   * older than {@link #COUNTERS_MAX_AGE_NANOS}; otherwise that listing is reused with owners
   * looked up afresh. TIME_WAIT sockets are left out. UDP is listed every time (the tracer does
   * not see it; its table is small).
   */
  synchronized List<Connection> tcp(LongFunction<Integer> ownerOf, TcpChanges changes)
      throws IOException {
    if (changes == null || netNamespace == null) {
      return tcp(ownerOf);
    }
    if (closed) {
      throw new IOException("sock_diag source is closed");
    }
    long count = changes.in(netNamespace); // before listing: a change during it shows next time
    long now = System.nanoTime();
    // Owners need looking up again only if they may have changed since the last lookup.
    long ownersVersion = ownerOf instanceof SocketOwners owners ? owners.version() : -1;
    boolean reused = listedTcp != null && count >= 0 && count == listedAtChanges
        && now - listedAtNanos < COUNTERS_MAX_AGE_NANOS;
    if (reused) {
      for (int i = 0; (ownersVersion == -1 || ownersVersion != resolvedAtVersion)
          && i < listedTcp.size(); i++) {
        Connection c = listedTcp.get(i);
        Integer pid = c.inode() == 0 ? null : ownerOf.apply(c.inode());
        if (!java.util.Objects.equals(pid, c.pid())) {
          listedTcp.set(i, c.withPid(pid));
        }
      }
    } else {
      List<Connection> listed = new ArrayList<>();
      dump(AF_INET, IPPROTO_TCP, COUNTED_STATES, ownerOf, listed);
      dump(AF_INET6, IPPROTO_TCP, COUNTED_STATES, ownerOf, listed);
      listedTcp = listed;
      listedAtChanges = count;
      listedAtNanos = now;
    }
    resolvedAtVersion = ownersVersion;
    List<Connection> connections = new ArrayList<>(listedTcp.size() + 64);
    connections.addAll(listedTcp);
    int tcp = connections.size();
    udp(ownerOf, connections);
    long[] udpInodes = new long[connections.size() - tcp];
    for (int i = 0; i < udpInodes.length; i++) {
      udpInodes[i] = connections.get(tcp + i).inode();
    }
    sameSockets = reused && java.util.Arrays.equals(udpInodes, listedUdpInodes);
    listedUdpInodes = udpInodes;
    return connections;
  }

  /**
   * Whether the last gated listing holds exactly the sockets of the one before (TCP reused, the
   * same UDP sockets): then no socket is new, and nobody need look for new owners.
   */
  synchronized boolean sameSockets() {
    return sameSockets;
  }

  /** UDP has no connection state: only sockets connect()ed to a peer say who talks to whom. */
  private void udp(LongFunction<Integer> ownerOf, List<Connection> out) throws IOException {
    dump(AF_INET, IPPROTO_UDP, 1 << TCP_ESTABLISHED, ownerOf, out);
    dump(AF_INET6, IPPROTO_UDP, 1 << TCP_ESTABLISHED, ownerOf, out);
  }

  private void dump(int family, int protocol, int states, LongFunction<Integer> ownerOf,
      List<Connection> out) throws IOException {
    int seq = ++sequence;
    request.clear();
    request.setInt(0, NLMSG_HEADER + INET_DIAG_REQ_V2);
    request.setShort(4, SOCK_DIAG_BY_FAMILY);
    request.setShort(6, NLM_F_REQUEST_DUMP);
    request.setInt(8, seq);
    request.setByte(NLMSG_HEADER, (byte) family);
    request.setByte(NLMSG_HEADER + 1, (byte) protocol);
    if (protocol == IPPROTO_TCP) {
      request.setByte(NLMSG_HEADER + 2, (byte) (1 << (INET_DIAG_INFO - 1))); // idiag_ext
    }
    request.setInt(NLMSG_HEADER + 4, states); // idiag_states, a bit per state
    try {
      LibC.sendto(fd, request, request.size(), 0, kernel, (int) kernel.size());
      boolean done = false;
      while (!done) {
        int length = (int) receiveOnce();
        if (length <= 0) {
          throw new IOException("sock_diag dump of family " + family + " got an empty reply");
        }
        for (int pos = 0; pos + NLMSG_HEADER <= length && !done; ) {
          int messageLength = received.getInt(pos);
          if (messageLength < NLMSG_HEADER || pos + messageLength > length) {
            throw new IOException("sock_diag reply has netlink message length " + messageLength
                + " at offset " + pos + " of " + length + " bytes");
          }
          // Replies of an earlier dump abandoned on error carry an older sequence: skip them.
          if (received.getInt(pos + 8) == seq) {
            done = message(pos, messageLength, family, protocol, ownerOf, out);
          }
          pos += (messageLength + 3) & ~3; // NLMSG_ALIGN
        }
      }
    } catch (LastErrorException e) {
      throw new IOException("sock_diag dump of family " + family + " failed: " + e.getMessage(), e);
    }
  }

  /** Handles one netlink message of the current dump; true when it ends the dump. */
  private boolean message(int pos, int length, int family, int protocol,
      LongFunction<Integer> ownerOf, List<Connection> out) throws IOException {
    int type = received.getShort(pos + 4) & 0xffff;
    int payload = pos + NLMSG_HEADER;
    if (type == SOCK_DIAG_BY_FAMILY) {
      if (length >= NLMSG_HEADER + INET_DIAG_MSG) {
        Connection c = connection(payload, length - NLMSG_HEADER, protocol, ownerOf);
        if (c != null) {
          out.add(c);
        }
      }
      return false;
    }
    // NLMSG_DONE may carry the dump's error; NLMSG_ERROR always does (0 is an ack).
    int error = length >= NLMSG_HEADER + 4 ? received.getInt(payload) : 0;
    if ((type == NLMSG_DONE || type == NLMSG_ERROR) && error < 0) {
      throw new IOException("sock_diag dump of family " + family + " failed: errno " + -error);
    }
    return type == NLMSG_DONE;
  }

  private long receiveOnce() {
    while (true) {
      try {
        return LibC.recv(fd, receive, RECEIVE_BYTES, 0);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.EINTR) {
          throw e;
        }
      }
    }
  }

  /**
   * Reads one struct inet_diag_msg and its tcp_info attribute; ports and addresses are in network
   * byte order. Null for a UDP socket without a peer.
   */
  private Connection connection(int msg, int length, int protocol,
      LongFunction<Integer> ownerOf) {
    int family = received.get(msg) & 0xff;
    int state = received.get(msg + 1) & 0xff;
    int localPort = (received.get(msg + 4) & 0xff) << 8 | (received.get(msg + 5) & 0xff);
    int remotePort = (received.get(msg + 6) & 0xff) << 8 | (received.get(msg + 7) & 0xff);
    if (protocol == IPPROTO_UDP && remotePort == 0) {
      return null;
    }
    int addressLength = family == AF_INET ? 4 : 16;
    received.get(msg + 8, address, 0, addressLength);
    String local = IpText.of(address, 0, addressLength);
    received.get(msg + 24, address, 0, addressLength);
    String remote = IpText.peerInFamilyOf(local, IpText.of(address, 0, addressLength));
    long inode = received.getInt(msg + 68) & 0xffffffffL;
    Integer pid = inode == 0 ? null : ownerOf.apply(inode);
    if (protocol == IPPROTO_UDP) {
      return new Connection("udp", local, localPort, remote, remotePort, TcpStates.name(state),
          pid, inode, NAME, netNamespace, null, null, null, null, null, null);
    }
    int info = tcpInfo(msg, length);
    int infoLength = info < 0 ? 0 : (received.getShort(info - RTA_HEADER) & 0xffff) - RTA_HEADER;
    return new Connection("tcp", local, localPort, remote, remotePort, TcpStates.name(state),
        pid, inode, NAME, netNamespace,
        infoLength >= TCPI_BYTES_ACKED + 8 ? received.getLong(info + TCPI_BYTES_ACKED) : null,
        infoLength >= TCPI_BYTES_RECEIVED + 8
            ? received.getLong(info + TCPI_BYTES_RECEIVED) : null,
        infoLength >= TCPI_RTT + 4 ? received.getInt(info + TCPI_RTT) & 0xffffffffL : null,
        infoLength >= TCPI_TOTAL_RETRANS + 4
            ? received.getInt(info + TCPI_TOTAL_RETRANS) & 0xffffffffL : null,
        null, null);
  }

  /**
   * Offset of the INET_DIAG_INFO payload (struct tcp_info) among the rtattrs after the 72-byte
   * inet_diag_msg, or -1: listening and TIME_WAIT sockets carry none.
   */
  private int tcpInfo(int msg, int length) {
    int end = msg + length;
    for (int pos = msg + INET_DIAG_MSG; pos + RTA_HEADER <= end; ) {
      int rtaLength = received.getShort(pos) & 0xffff;
      if (rtaLength < RTA_HEADER || pos + rtaLength > end) {
        return -1;
      }
      if ((received.getShort(pos + 2) & 0xffff) == INET_DIAG_INFO) {
        return pos + RTA_HEADER;
      }
      pos += (rtaLength + 3) & ~3; // RTA_ALIGN
    }
    return -1;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.close(fd);
    }
  }
}
