package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One process as read from /proc (or, for one that lived between two scans, from the proc
 * connector's fork/exec/exit events). Boxed fields are null when unknown.
 *
 * @param startTime    start time in clock ticks since boot (field 22 of /proc/PID/stat); with the
 *                     pid it tells apart processes that reuse a pid
 * @param startedAt    start time as epoch milliseconds, for people
 * @param cpuPercent   CPU used since the previous scan, in percent of one core
 * @param netNamespace inode of the process's network namespace (/proc/PID/ns/net)
 * @param containerId  runtime id of the container the process runs in, from its cgroup
 * @param exitedAt     epoch ms of exit, for a process that already exited (short-lived)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessInfo(
    int pid,
    int ppid,
    long startTime,
    long startedAt,
    String comm,
    String cmdline,
    String user,
    double cpuPercent,
    long rssBytes,
    Integer threads,
    Integer openFds,
    String cgroup,
    Long netNamespace,
    String containerId,
    Long exitedAt,
    Integer exitCode) {

  /** The fields every probe reports; the others unknown. */
  public ProcessInfo(int pid, int ppid, long startTime, long startedAt, String comm, String cmdline,
      String user, double cpuPercent, long rssBytes) {
    this(pid, ppid, startTime, startedAt, comm, cmdline, user, cpuPercent, rssBytes,
        null, null, null, null, null, null, null);
  }

  /** The node id of this process on the given host: {@code host;pid;starttime}. */
  public String nodeId(String hostId) {
    return NodeIds.process(hostId, pid, startTime);
  }

  /** The same process with another CPU figure. */
  public ProcessInfo withCpuPercent(double percent) {
    return new ProcessInfo(pid, ppid, startTime, startedAt, comm, cmdline, user, percent,
        rssBytes, threads, openFds, cgroup, netNamespace, containerId, exitedAt, exitCode);
  }
}
