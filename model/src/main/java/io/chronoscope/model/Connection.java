package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One socket endpoint seen on a host: a listening socket ({@code state = LISTEN}) or one end of a
 * connection. Addresses are textual IPs; IPv4-mapped IPv6 addresses are reported as IPv4. Boxed
 * fields are null when unknown.
 *
 * @param protocol     {@code tcp} or {@code udp}
 * @param pid          owning process when the socket inode was found under /proc/PID/fd, else null
 * @param inode        socket inode, 0 when unknown
 * @param source       where the probe learned of it: {@code sock_diag}, {@code procfs},
 *                     {@code ebpf}, {@code conntrack}
 * @param netNamespace inode of the network namespace the socket lives in
 * @param rttMicros    smoothed round-trip time from tcp_info
 * @param openedAt     epoch ms the connection was first seen (or opened, from eBPF)
 * @param closedAt     epoch ms the connection closed, for one that lived between two scans
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Connection(
    String protocol,
    String localAddress,
    int localPort,
    String remoteAddress,
    int remotePort,
    String state,
    Integer pid,
    long inode,
    String source,
    Long netNamespace,
    Long bytesSent,
    Long bytesReceived,
    Long rttMicros,
    Long retransmits,
    Long openedAt,
    Long closedAt) {

  public static final String LISTEN = "LISTEN";

  /** The fields every socket source reports; the others unknown. */
  public Connection(String protocol, String localAddress, int localPort, String remoteAddress,
      int remotePort, String state, Integer pid, long inode, String source) {
    this(protocol, localAddress, localPort, remoteAddress, remotePort, state, pid, inode, source,
        null, null, null, null, null, null, null);
  }

  /** The same socket with another owner. */
  public Connection withPid(Integer owner) {
    return new Connection(protocol, localAddress, localPort, remoteAddress, remotePort, state,
        owner, inode, source, netNamespace, bytesSent, bytesReceived, rttMicros, retransmits,
        openedAt, closedAt);
  }

  @JsonIgnore
  public boolean listening() {
    return LISTEN.equals(state);
  }
}
