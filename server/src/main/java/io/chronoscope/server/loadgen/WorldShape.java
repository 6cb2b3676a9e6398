package io.chronoscope.server.loadgen;

/**
 * How big a simulated world is and how fast it changes.
 *
 * @param hosts             simulated hosts, each reporting as its own probe
 * @param containersPerHost containers (one per pod) on every host, held constant under churn
 * @param connections       established connections in the whole world, held constant under churn
 * @param churnPercent      share of all containers replaced by new pods each tick, 0 to 100
 * @param seed              the same seed and the same tick times give the same reports
 */
public record WorldShape(int hosts, int containersPerHost, int connections, double churnPercent,
    long seed) {
  /** Pod networks are the /24s of 10.64.0.0/10, one per host. */
  public static final int MAX_HOSTS = 16_384;
  /** A host's /24 pod network holds 253 addresses; a few stay free so replaced pods' addresses are reused, not exhausted. */
  public static final int MAX_CONTAINERS_PER_HOST = 250;
  public static final int MAX_CONNECTIONS = 1_000_000;

  public WorldShape {
    if (hosts < 1 || hosts > MAX_HOSTS) {
      throw new IllegalArgumentException("hosts must be 1.." + MAX_HOSTS + ", was " + hosts);
    }
    if (containersPerHost < 0 || containersPerHost > MAX_CONTAINERS_PER_HOST) {
      throw new IllegalArgumentException("containersPerHost must be 0.." + MAX_CONTAINERS_PER_HOST
          + ", was " + containersPerHost);
    }
    if (connections < 0 || connections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException("connections must be 0.." + MAX_CONNECTIONS + ", was "
          + connections);
    }
    // The fields are not assigned yet inside a compact constructor: use the parameters.
    if (connections > 0 && hosts * containersPerHost < 2) {
      throw new IllegalArgumentException("connections need at least 2 containers in all, there are "
          + hosts * containersPerHost);
    }
    if (!(churnPercent >= 0 && churnPercent <= 100)) {
      throw new IllegalArgumentException("churnPercent must be 0..100, was " + churnPercent);
    }
  }

  public int totalContainers() {
    return hosts * containersPerHost;
  }
}
