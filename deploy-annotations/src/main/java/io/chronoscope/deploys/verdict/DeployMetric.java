package io.chronoscope.deploys.verdict;

import java.util.List;

/**
 * A metric a verdict watches, which way is bad, and the smallest change that matters (so a flat
 * series with zero spread does not turn noise into a verdict).
 *
 * @param minSpread the spread used when history's is smaller, in the metric's unit
 */
public record DeployMetric(String name, Direction bad, double minSpread, String unit) {
  public enum Direction { UP, DOWN, BOTH }

  /** CPU %, memory bytes, restarts, connections, failed connections, bytes/s, RTT ms. */
  public static final List<DeployMetric> ALL = List.of(
      new DeployMetric("cpu_percent", Direction.UP, 2.0, "%"),
      new DeployMetric("memory_bytes", Direction.UP, 16 * 1024 * 1024, "B"),
      new DeployMetric("restarts", Direction.UP, 1.0, ""),
      new DeployMetric("connections", Direction.BOTH, 2.0, ""),
      new DeployMetric("failed_connections", Direction.UP, 1.0, "/min"),
      new DeployMetric("bytes_per_second", Direction.BOTH, 1024, "B/s"),
      new DeployMetric("rtt_ms", Direction.UP, 1.0, "ms"));

  /** How far a change goes the bad way, in spreads; negative when it went the good way. */
  double badness(double robustZ) {
    return switch (bad) {
      case UP -> robustZ;
      case DOWN -> -robustZ;
      case BOTH -> Math.abs(robustZ);
    };
  }
}
