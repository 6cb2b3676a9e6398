package io.chronoscope.collector;

/**
 * Listening endpoints of hosts whose reports this collector does not hold: when collectors shard
 * hosts between them, a client's server may report to another collector.
 */
@FunctionalInterface
public interface EndpointIndex {
  /** Knows no endpoint: a single collector sees every listener in its own reports. */
  EndpointIndex NONE = (address, port) -> null;

  /** The node id of the process listening on a routable {@code address:port}, or null when unknown. */
  String listener(String address, int port);
}
