package io.chronoscope.probe.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka publisher against a real KRaft broker (one combined controller+broker node) in this JVM. */
class KafkaPublisherTest {
  private static final String TOPIC = "chronoscope.reports";
  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("num.partitions", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      // A topic is usable only once every partition has a leader (KAFKA-15591).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          break;
        }
        assertThat(System.nanoTime()).as("every partition of " + TOPIC + " gets a leader").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Report report(String host, long seq) {
    return new Report(host, "probe-" + host, seq, 1_700_000_000_000L + seq, 1000, null, List.of(), List.of());
  }

  @Test
  void publishesEachHostsReportKeyedByHostIdIdempotentAndZstdCompressed() throws Exception {
    Report a = report("host-a", 1);
    Report b = report("host-b", 1);
    try (KafkaPublisher publisher = new KafkaPublisher(cluster.bootstrapServers(), TOPIC, Map.of())) {
      assertThat(publisher.config())
          .containsEntry("enable.idempotence", true)
          .containsEntry("acks", "all")
          .containsEntry("compression.type", "zstd");
      publisher.publish(a);
      publisher.publish(b);
      publisher.close();
      assertThat(publisher.sent()).isEqualTo(2);
      assertThat(publisher.failed()).isZero();
    }

    Map<String, Report> byKey = new HashMap<>();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(TOPIC).forEach(p -> partitions.add(new TopicPartition(TOPIC, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (byKey.size() < 2) {
        assertThat(System.nanoTime()).as("both reports are consumed back").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          assertThat(new String(r.headers().lastHeader("content-type").value(), StandardCharsets.US_ASCII))
              .as("the record names its format").isEqualTo("application/x-jackson-smile");
          byKey.put(r.key(), ReportWire.SMILE.mapper().readValue(r.value(), Report.class));
        }
      }
    }
    assertThat(byKey).containsEntry("host-a", a).containsEntry("host-b", b).hasSize(2);

    // What the broker stored: the batches on disk say how they were compressed and by whom.
    record Batch(CompressionType compression, long producerId) {}
    List<Batch> batches = new ArrayList<>();
    for (String dir : cluster.brokers().values().iterator().next().config().logDirs()) {
      try (Stream<Path> files = Files.walk(Path.of(dir))) {
        for (Path log : files.filter(f -> f.getParent().getFileName().toString().startsWith(TOPIC + "-")
            && f.toString().endsWith(".log")).toList()) {
          try (FileRecords records = FileRecords.open(log.toFile())) {
            // Batches load lazily from the open file: read them before it closes.
            records.batches().forEach(bt -> batches.add(new Batch(bt.compressionType(), bt.producerId())));
          }
        }
      }
    }
    assertThat(batches).isNotEmpty();
    assertThat(batches).allSatisfy(batch -> {
      assertThat(batch.compression()).isEqualTo(CompressionType.ZSTD);
      assertThat(batch.producerId()).as("idempotent producers stamp a producer id").isGreaterThanOrEqualTo(0);
    });
  }
}
