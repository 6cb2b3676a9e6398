package io.chronoscope.server.loadgen;

import io.chronoscope.probe.publish.HttpPublisher;
import io.chronoscope.probe.publish.KafkaPublisher;
import io.chronoscope.probe.publish.ReportPublisher;
import java.util.List;

/**
 * What became of the published reports, summed over publishers.
 *
 * @param accepted reports the collector answered 2xx to, or Kafka acknowledged
 * @param dropped  reports pushed out of a full buffer while the collector was not taking them
 * @param rejected reports the collector refused (4xx other than 429)
 * @param failed   reports Kafka did not take
 */
public record Delivery(long accepted, long dropped, long rejected, long failed) {

  /** The counts the probe's publishers keep; other publishers keep none. */
  public static Delivery of(List<? extends ReportPublisher> publishers) {
    long accepted = 0;
    long dropped = 0;
    long rejected = 0;
    long failed = 0;
    for (ReportPublisher p : publishers) {
      if (p instanceof HttpPublisher http) {
        accepted += http.sent();
        dropped += http.dropped();
        rejected += http.rejected();
      } else if (p instanceof KafkaPublisher kafka) {
        accepted += kafka.sent();
        failed += kafka.failed();
      }
    }
    return new Delivery(accepted, dropped, rejected, failed);
  }
}
