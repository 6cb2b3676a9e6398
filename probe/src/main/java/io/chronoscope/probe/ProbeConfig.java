package io.chronoscope.probe;

import java.nio.file.Path;
import java.util.UUID;

/**
 * How a {@link Probe} scans.
 *
 * @param hostId     host identity to report; null reads /etc/machine-id (then the hostname)
 * @param probeId    identity of this probe instance; null picks a random one, because a
 *                   restarted probe starts its seq again and (probeId, seq) must stay unique
 * @param intervalMs scan interval in milliseconds, more than 0
 * @param procRoot   where procfs is mounted; null means /proc. Tests and probes running in a
 *                   container with the host's /proc mounted elsewhere set it
 * @param ebpf       try the eBPF tracer for short-lived connections; false uses conntrack events
 *                   and polling only (for kernels where loading BPF is unwelcome)
 */
public record ProbeConfig(String hostId, String probeId, long intervalMs, Path procRoot,
    boolean ebpf) {
  public static final long DEFAULT_INTERVAL_MS = 1000;
  public static final Path DEFAULT_PROC_ROOT = Path.of("/proc");

  public ProbeConfig {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be more than 0, was " + intervalMs);
    }
    if (hostId != null && hostId.isBlank()) {
      throw new IllegalArgumentException("hostId must be null or not blank, was '" + hostId + "'");
    }
    if (probeId == null) {
      probeId = "probe-" + UUID.randomUUID();
    } else if (probeId.isBlank()) {
      throw new IllegalArgumentException(
          "probeId must be null or not blank, was '" + probeId + "'");
    }
    procRoot = procRoot == null ? DEFAULT_PROC_ROOT : procRoot;
  }

  /** With eBPF on. */
  public ProbeConfig(String hostId, String probeId, long intervalMs, Path procRoot) {
    this(hostId, probeId, intervalMs, procRoot, true);
  }

  /** Machine-id as host id, a random probe id, 1 s interval, /proc. */
  public static ProbeConfig defaults() {
    return new ProbeConfig(null, null, DEFAULT_INTERVAL_MS, null);
  }

  public ProbeConfig withIntervalMs(long intervalMs) {
    return new ProbeConfig(hostId, probeId, intervalMs, procRoot, ebpf);
  }

  public ProbeConfig withEbpf(boolean ebpf) {
    return new ProbeConfig(hostId, probeId, intervalMs, procRoot, ebpf);
  }
}
