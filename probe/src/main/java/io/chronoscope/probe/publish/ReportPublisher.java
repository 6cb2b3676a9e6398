package io.chronoscope.probe.publish;

import io.chronoscope.model.Report;

/**
 * Sends a probe's reports to a collector. {@link #publish} never waits for the network: a slow or
 * absent collector must not delay the next scan.
 */
public interface ReportPublisher extends AutoCloseable {

  /** Queues one report for sending; returns at once. */
  void publish(Report report);

  /** Sends what is queued for a bounded time, then stops; reports still queued are lost. */
  @Override
  void close();
}
