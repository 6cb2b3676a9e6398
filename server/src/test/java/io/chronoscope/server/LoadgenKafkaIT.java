package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.chronoscope.server.loadgen.SimulatedWorld;
import io.chronoscope.server.loadgen.WorldShape;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code chronoscope.jar loadgen --kafka} against a real KRaft broker started in this JVM. */
class LoadgenKafkaIT {
  private static final String TOPIC = "loadgen.reports";
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();

  @BeforeAll
  static void createTopic() throws Exception {
    BROKER.createTopic(TOPIC, 2);
  }

  @Test
  void everySimulatedHostsReportsArriveKeyedByHostInOrder() throws Exception {
    Set<String> hostIds = new HashSet<>();
    new SimulatedWorld(new WorldShape(3, 4, 8, 25, 21), 0, 1000).reports()
        .forEach(r -> hostIds.add(r.hostId()));
    List<String> cmd = List.of(PackagedJar.java(), "-jar", PackagedJar.jar(), "loadgen", "--hosts", "3",
        "--containers", "4", "--connections", "8", "--churn", "25", "--seed", "21", "--ticks", "3",
        "--interval", "300ms", "--kafka", BROKER.bootstrapServers(), "--topic", TOPIC);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("loadgen: done: 3 ticks, 9 reports published, 9 accepted").contains("0 failed");

    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "loadgen-it",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (records.size() < 9) {
        assertThat(System.nanoTime()).as("all 9 reports are read back, %d so far", records.size()).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    assertThat(records).hasSize(9);
    for (String host : hostIds) {
      List<Long> seqs = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        if (r.key().equals(host)) {
          Report report = ReportWire.SMILE.mapper().readValue(r.value(), Report.class);
          assertThat(report.hostId()).isEqualTo(host);
          assertThat(report.containers()).hasSize(4);
          seqs.add(report.seq());
        }
      }
      assertThat(seqs).as("host %s's reports, in order on its partition", host).containsExactly(1L, 2L, 3L);
    }
  }

}
