package io.chronoscope.model;

import java.util.List;

/**
 * Everything one probe saw on one host in one scan. Always a full snapshot, never a delta:
 * a lost report loses nothing because the collector diffs consecutive states itself.
 *
 * @param hostId     stable host identity (machine-id)
 * @param probeId    identity of the probe instance; (probeId, seq) identifies a report
 * @param seq        sequence number, increasing per probe
 * @param timestamp  scan time, epoch milliseconds
 * @param intervalMs scan interval; a host is gone after three missed intervals
 */
public record Report(
    String hostId,
    String probeId,
    long seq,
    long timestamp,
    long intervalMs,
    HostInfo host,
    List<ProcessInfo> processes,
    List<Connection> connections) {

  public Report {
    processes = processes == null ? List.of() : List.copyOf(processes);
    connections = connections == null ? List.of() : List.copyOf(connections);
  }
}
