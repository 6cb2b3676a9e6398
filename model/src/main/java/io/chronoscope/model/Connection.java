package io.chronoscope.model;

/**
 * One socket endpoint seen on a host: a listening socket ({@code state = LISTEN}) or one end of a
 * connection. Addresses are textual IPs; IPv4-mapped IPv6 addresses are reported as IPv4.
 *
 * @param pid    owning process when the socket inode was found under /proc/PID/fd, else null
 * @param inode  socket inode, 0 when unknown
 * @param source where the probe learned of it: {@code sock_diag}, {@code procfs}, ...
 */
public record Connection(
    String protocol,
    String localAddress,
    int localPort,
    String remoteAddress,
    int remotePort,
    String state,
    Integer pid,
    long inode,
    String source) {

  public static final String LISTEN = "LISTEN";

  public boolean listening() {
    return LISTEN.equals(state);
  }
}
