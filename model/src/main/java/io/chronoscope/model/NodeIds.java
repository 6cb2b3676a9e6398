package io.chronoscope.model;

/**
 * Stable, collision-free node ids. Pids are reused, so a process id carries its start time;
 * a host is its machine-id.
 */
public final class NodeIds {
  /** Every public address: Scope's "The Internet" node. */
  public static final String INTERNET = "internet";

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

  /** Runtime ids are unique per host; the host keeps two probes' views of one id apart. */
  public static String container(String hostId, String containerId) {
    return hostId + ";<container>;" + containerId;
  }

  /** A pod is named by its uid: a pod re-created under the same name is another pod. */
  public static String pod(String podUid) {
    return "<pod>;" + podUid;
  }

  /** Unknown private peers, one node per /24 (IPv6: per /64) so a busy subnet stays one node. */
  public static String privateNetwork(String network) {
    return "remote;" + network;
  }
}
