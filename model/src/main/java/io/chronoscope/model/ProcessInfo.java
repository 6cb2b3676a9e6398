package io.chronoscope.model;

/**
 * One process as read from /proc.
 *
 * @param startTime  start time in clock ticks since boot (field 22 of /proc/PID/stat); with the
 *                   pid it tells apart processes that reuse a pid
 * @param startedAt  start time as epoch milliseconds, for people
 * @param cpuPercent CPU used since the previous scan, in percent of one core
 */
public record ProcessInfo(
    int pid,
    int ppid,
    long startTime,
    long startedAt,
    String comm,
    String cmdline,
    String user,
    double cpuPercent,
    long rssBytes) {

  /** The node id of this process on the given host: {@code host;pid;starttime}. */
  public String nodeId(String hostId) {
    return NodeIds.process(hostId, pid, startTime);
  }
}
