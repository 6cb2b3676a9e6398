package io.chronoscope.probe.publish;

import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends reports to a Kafka topic (default {@value #DEFAULT_TOPIC}) keyed by host id, so one
 * host's reports stay in order on one partition and collectors can shard by host. The producer is
 * idempotent with {@code acks=all} (a retried send is not duplicated) and compresses with zstd.
 * The producer's own bounded buffer and retries stand in for {@link HttpPublisher}'s.
 */
public final class KafkaPublisher implements ReportPublisher {
  public static final String DEFAULT_TOPIC = "chronoscope.reports";
  private static final System.Logger LOG = System.getLogger(KafkaPublisher.class.getName());

  private final String topic;
  private final ReportWire wire;
  private final Map<String, Object> config;
  private final Producer<String, byte[]> producer;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final RateLimitedWarning failureWarning = new RateLimitedWarning(LOG, 60_000);

  /**
   * @param bootstrapServers {@code host:port[,host:port...]}
   * @param topic            where reports go
   * @param overrides        further producer settings (TLS, SASL, client.id, ...); they win over
   *                         ours except idempotence, acks and the serializers
   */
  public KafkaPublisher(String bootstrapServers, String topic, Map<String, Object> overrides) {
    this(bootstrapServers, topic, overrides, ReportWire.SMILE);
  }

  /** @param wire Smile (the default: the collector decodes it in about half the CPU of JSON) or JSON */
  public KafkaPublisher(String bootstrapServers, String topic, Map<String, Object> overrides, ReportWire wire) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank, was '" + topic + "'");
    }
    this.topic = topic;
    this.wire = wire;
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    c.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "chronoscope-probe");
    // publish() runs on the probe thread: never block it for long on a missing broker.
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    // Reports are replaced every interval; after two minutes one is history, not news.
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024);
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    c.putAll(overrides);
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.config = Map.copyOf(c);
    this.producer = new KafkaProducer<>(c);
  }

  public KafkaPublisher(String bootstrapServers) {
    this(bootstrapServers, DEFAULT_TOPIC, Map.of());
  }

  @Override
  public void publish(Report report) {
    byte[] value;
    try {
      value = wire.encode(report);
    } catch (Exception e) {
      failed.incrementAndGet();
      LOG.log(Level.WARNING, "cannot encode report seq " + report.seq() + " as " + wire, e);
      return;
    }
    try {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, report.hostId(), value);
      // For other consumers of the topic; the collector tells Smile from JSON by its first bytes.
      record.headers().add("content-type", wire.contentType().getBytes(StandardCharsets.US_ASCII));
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          sent.incrementAndGet();
        } else {
          failed.incrementAndGet();
          failureWarning.warn("Kafka did not take report seq " + report.seq() + " for topic " + topic
              + " at " + config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + error
              + "; " + failed.get() + " reports failed so far");
        }
      });
    } catch (RuntimeException e) {
      // Metadata not available within max.block.ms, buffer exhausted, or producer closed.
      failed.incrementAndGet();
      failureWarning.warn("cannot queue report seq " + report.seq() + " for Kafka topic " + topic
          + ": " + e + "; " + failed.get() + " reports failed so far");
    }
  }

  /** Waits up to 5 s for queued reports to be acknowledged, then closes the producer. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** The producer settings in effect, for checks and the probe's --explain. */
  public Map<String, Object> config() {
    return config;
  }

  public String topic() {
    return topic;
  }

  /** Reports the brokers acknowledged. */
  public long sent() {
    return sent.get();
  }

  /** Reports that could not be queued or were not acknowledged before the delivery timeout. */
  public long failed() {
    return failed.get();
  }
}
