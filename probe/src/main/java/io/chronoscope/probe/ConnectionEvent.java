package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One closed TCP connection as connections.bpf.c sends it through the ring buffer ({@code struct
 * event}, {@value #SIZE} bytes in the host's byte order). Times are CLOCK_MONOTONIC nanoseconds,
 * the clock of bpf_ktime_get_ns.
 *
 * @param establishedNs when the socket reached ESTABLISHED
 * @param closedNs      when it reached CLOSE
 * @param bytesAcked    bytes sent and acknowledged by the peer
 * @param pid           tgid of the owner seen in its connect/close system call, 0 when unknown
 * @param netns         inode of the socket's network namespace
 * @param passive       true for the accepted end, false for the connecting end
 * @param localAddress  4 bytes (AF_INET) or 16 bytes (AF_INET6)
 * @param closedFrom    TCP state number the socket closed from
 */
record ConnectionEvent(long establishedNs, long closedNs, long bytesAcked, long bytesReceived,
    int pid, long netns, int family, int localPort, int remotePort, int closedFrom,
    boolean passive, byte[] localAddress, byte[] remoteAddress, String comm) {
  static final int SIZE = 96;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  /** Decodes one record; throws when its size or family is not what the program writes. */
  static ConnectionEvent decode(ByteBuffer record) {
    if (record.remaining() != SIZE) {
      throw new IllegalArgumentException(
          "eBPF connection event must be " + SIZE + " bytes, was " + record.remaining());
    }
    ByteBuffer b = record.slice().order(ByteOrder.nativeOrder());
    long establishedNs = b.getLong(0);
    long closedNs = b.getLong(8);
    long bytesAcked = b.getLong(16);
    long bytesReceived = b.getLong(24);
    int pid = b.getInt(32);
    long netns = Integer.toUnsignedLong(b.getInt(36));
    int family = Short.toUnsignedInt(b.getShort(40));
    int localPort = Short.toUnsignedInt(b.getShort(42));
    int remotePort = Short.toUnsignedInt(b.getShort(44));
    int closedFrom = Byte.toUnsignedInt(b.get(46));
    boolean passive = b.get(47) != 0;
    int length = switch (family) {
      case AF_INET -> 4;
      case AF_INET6 -> 16;
      default -> throw new IllegalArgumentException(
          "eBPF connection event family must be AF_INET (2) or AF_INET6 (10), was " + family);
    };
    byte[] local = new byte[length];
    byte[] remote = new byte[length];
    b.get(48, local);
    b.get(64, remote);
    byte[] comm = new byte[16];
    b.get(80, comm);
    int end = 0;
    while (end < comm.length && comm[end] != 0) {
      end++;
    }
    return new ConnectionEvent(establishedNs, closedNs, bytesAcked, bytesReceived, pid, netns,
        family, localPort, remotePort, closedFrom, passive, local, remote,
        new String(comm, 0, end, StandardCharsets.UTF_8));
  }

  /**
   * As a report's connection: state CLOSED, source ebpf, times in epoch ms.
   *
   * @param epochMinusMonotonicNs CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns
   */
  Connection toConnection(long epochMinusMonotonicNs) {
    return new Connection("tcp", IpText.of(localAddress), localPort, IpText.of(remoteAddress),
        remotePort, EbpfConnectionTracer.CLOSED, pid > 0 ? pid : null, 0,
        EbpfConnectionTracer.NAME, netns, bytesAcked, bytesReceived, null, null,
        (establishedNs + epochMinusMonotonicNs) / 1_000_000,
        (closedNs + epochMinusMonotonicNs) / 1_000_000);
  }
}
