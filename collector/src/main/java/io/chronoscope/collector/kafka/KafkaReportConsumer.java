package io.chronoscope.collector.kafka;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.InvalidReportException;
import io.chronoscope.collector.ReportDecoder;
import io.chronoscope.model.Report;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Feeds a {@link Collector} from the reports topic as one member of the collectors' consumer
 * group: the partitions it is assigned are its share of the hosts.
 *
 * <p>At least once, and nothing twice in the store: an offset is committed only after the store
 * holds a tick that merged the reports up to it. A crash in between re-delivers those reports; the
 * collector drops the ones it holds by (probe, seq), a restarted one starts from the store's head,
 * so the same reports diff to no change.
 */
public final class KafkaReportConsumer implements AutoCloseable {
  public static final String DEFAULT_GROUP = "chronoscope-collectors";
  private static final System.Logger LOG = System.getLogger(KafkaReportConsumer.class.getName());
  private static final Duration POLL = Duration.ofMillis(500);

  private final Collector collector;
  private final Clock clock;
  private final String topic;
  private final Consumer<String, byte[]> consumer;
  private final Counter skipped;
  /** Next offset per partition whose reports the store holds; written by the tick thread. */
  private final Map<TopicPartition, Long> stored = new ConcurrentHashMap<>();
  /** Hosts whose reports came from each partition; poll thread only. */
  private final Map<TopicPartition, Set<String>> hostsOf = new HashMap<>();
  /** Next offset per partition already committed; poll thread only. */
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean abandoned;
  private volatile Set<TopicPartition> assignment = Set.of();
  private Thread thread;

  /**
   * @param overrides further consumer settings (TLS, SASL, client.id, ...); they win over ours
   *                  except the group, manual commits and the deserializers
   */
  public KafkaReportConsumer(String bootstrapServers, String topic, String group, Map<String, Object> overrides,
      Collector collector, Clock clock, MeterRegistry registry) {
    this.collector = collector;
    this.clock = clock;
    this.topic = topic;
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // A new group starts with what the retention still holds: the hosts' latest state is in there.
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "chronoscope-collector");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ReportDecoder.MAX_REPORT_BYTES);
    c.putAll(overrides);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    this.skipped = Counter.builder("chronoscope.kafka.reports.skipped")
        .description("Report records from Kafka that were invalid and skipped").register(registry);
  }

  /** Joins the group and consumes on a thread of its own until {@link #close()}. */
  public void start() {
    subscribe();
    running.set(true);
    thread = new Thread(this::run, "chronoscope-kafka-reports");
    thread.setDaemon(true);
    thread.start();
  }

  void subscribe() {
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // What the store holds is done; the rest is re-delivered to the next owner.
        commitStored();
        partitions.forEach(stored::remove);
        partitions.forEach(committed::remove);
        assignment = Set.copyOf(consumer.assignment());
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // Another member owns them already: committing now would fail or rewind its progress.
        partitions.forEach(stored::remove);
        partitions.forEach(committed::remove);
        assignment = Set.copyOf(consumer.assignment());
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        assignment = Set.copyOf(consumer.assignment());
        // Checked here, not on revocation: an eager rebalance revokes everything and hands most back.
        hostsOf.entrySet().removeIf(e -> {
          if (assignment.contains(e.getKey())) {
            return false;
          }
          e.getValue().forEach(collector::forget);
          return true;
        });
      }
    });
  }

  private void run() {
    try {
      while (running.get()) {
        try {
          pollOnce(POLL);
        } catch (WakeupException e) {
          // close() asked us to stop.
        } catch (KafkaException e) {
          LOG.log(Level.WARNING, "consuming " + topic + " failed; retrying", e);
        }
      }
      try {
        commitStored();
      } catch (WakeupException e) {
        // The wake-up meant for a poll landed here instead; it is spent now.
        commitStored();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot commit the last stored offsets of " + topic
          + "; their reports will be delivered again", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** One poll: hands valid reports to the collector, then commits what the store holds so far. */
  void pollOnce(Duration timeout) {
    Map<TopicPartition, Long> delivered = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      ingest(record);
      delivered.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
    }
    if (!delivered.isEmpty()) {
      collector.runAfterNextStore(() -> delivered.forEach((tp, next) -> stored.merge(tp, next, Math::max)));
    }
    commitStored();
  }

  private void ingest(ConsumerRecord<String, byte[]> record) {
    try {
      Report report = ReportDecoder.decode(record.value());
      collector.ingest(report, clock.millis());
      hostsOf.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new HashSet<>())
          .add(report.hostId());
    } catch (InvalidReportException e) {
      skipped.increment();
      LOG.log(Level.WARNING, "skipping report of host " + record.key() + " at " + record.topic() + "-"
          + record.partition() + " offset " + record.offset() + ": " + e.getMessage());
    }
  }

  private void commitStored() {
    if (abandoned) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
    Set<TopicPartition> owned = consumer.assignment();
    stored.forEach((tp, next) -> {
      if (owned.contains(tp) && !next.equals(committed.get(tp))) {
        due.put(tp, new OffsetAndMetadata(next));
      }
    });
    if (!due.isEmpty()) {
      consumer.commitSync(due);
      due.forEach((tp, offset) -> committed.put(tp, offset.offset()));
    }
  }

  /** The partitions this member owns now: its share of the hosts. */
  public Set<TopicPartition> assignment() {
    return assignment;
  }

  public long skipped() {
    return (long) skipped.count();
  }

  /** Stops consuming, commits what the store holds and leaves the group. */
  @Override
  public void close() {
    if (thread == null) {
      consumer.close(Duration.ofSeconds(5));
      return;
    }
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Leaves without committing, as a crash would, for tests of re-delivery: closing otherwise
   * revokes the partitions, and revocation commits what is stored.
   */
  void abandon() {
    abandoned = true;
    consumer.close(Duration.ofSeconds(5));
  }
}
