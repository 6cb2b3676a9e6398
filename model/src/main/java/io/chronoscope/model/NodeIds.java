package io.chronoscope.model;

/**
 * Stable, collision-free node ids. Pids are reused, so a process id carries its start time;
 * a host is its machine-id.
 */
public final class NodeIds {
  private NodeIds() {}

  public static String process(String hostId, int pid, long startTime) {
    return hostId + ";" + pid + ";" + startTime;
  }

  public static String host(String hostId) {
    return hostId + ";<host>";
  }

  public static String processName(String hostId, String comm) {
    return hostId + ";<name>;" + comm;
  }
}
