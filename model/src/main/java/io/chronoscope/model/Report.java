package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Everything one probe saw on one host in one scan. Always a full snapshot, never a delta:
 * a lost report loses nothing because the collector diffs consecutive states itself.
 *
 * @param hostId      stable host identity (machine-id)
 * @param probeId     identity of the probe instance; (probeId, seq) identifies a report
 * @param seq         sequence number, increasing per probe
 * @param timestamp   scan time, epoch milliseconds
 * @param intervalMs  scan interval; a host is gone after three missed intervals
 * @param processes   processes alive at the scan, plus those that lived and exited since the last
 * @param connections sockets at the scan, plus connections opened and closed since the last
 * @param nat         conntrack flows, so the collector can see through DNAT
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
    String hostId,
    String probeId,
    long seq,
    long timestamp,
    long intervalMs,
    HostInfo host,
    List<ProcessInfo> processes,
    List<Connection> connections,
    List<ContainerInfo> containers,
    List<NatFlow> nat) {

  public Report {
    processes = processes == null ? List.of() : List.copyOf(processes);
    connections = connections == null ? List.of() : List.copyOf(connections);
    containers = containers == null ? List.of() : List.copyOf(containers);
    nat = nat == null ? List.of() : List.copyOf(nat);
  }

  /** A report without containers or NAT flows. */
  public Report(String hostId, String probeId, long seq, long timestamp, long intervalMs,
      HostInfo host, List<ProcessInfo> processes, List<Connection> connections) {
    this(hostId, probeId, seq, timestamp, intervalMs, host, processes, connections, null, null);
  }
}
