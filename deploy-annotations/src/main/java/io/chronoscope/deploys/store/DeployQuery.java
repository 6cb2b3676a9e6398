package io.chronoscope.deploys.store;

import io.chronoscope.deploys.DeployEvent;

/**
 * Which events to list: those at or after {@code from} and at or before {@code to}, optionally only
 * for a target (its key, service or workload name) and a verdict, oldest first, at most
 * {@code limit}.
 */
public record DeployQuery(long from, long to, String target, String verdict, int limit) {
  public DeployQuery {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
  }

  public static DeployQuery between(long from, long to) {
    return new DeployQuery(from, to, null, null, 1_000);
  }

  public boolean matches(DeployEvent e) {
    return e.at() >= from && e.at() <= to
        && (target == null || e.target().matches(target))
        && (verdict == null || (e.verdict() != null && verdict.equals(e.verdict().status())));
  }
}
