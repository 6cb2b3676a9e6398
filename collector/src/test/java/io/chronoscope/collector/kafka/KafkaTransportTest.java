package io.chronoscope.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.Reports;
import io.chronoscope.model.Json;
import io.chronoscope.model.NodeIds;
import io.chronoscope.model.Report;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Collectors sharing hosts through Kafka, against a real KRaft broker in this JVM. */
class KafkaTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Short sessions so a member that left is noticed quickly by the group. */
  private static final Map<String, Object> CONSUMER = Map.of(
      ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
      ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
  private static KafkaClusterTestKit cluster;
  private static Producer<String, byte[]> producer;

  private final Clock clock = Clock.systemUTC();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void twoCollectorsInOneGroupShareTheHostsAndEachHostLands() throws Exception {
    String topic = "shared.reports";
    int partitions = 4;
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.reports(topic, partitions)), WAIT);
    // Hosts chosen so that every partition carries at least one of them.
    Map<String, Integer> partitionOf = new LinkedHashMap<>();
    for (int i = 0; partitionOf.values().stream().distinct().count() < partitions; i++) {
      partitionOf.put("host-" + i, partitionFor("host-" + i, partitions));
    }
    Shard a = shard(topic, "shared");
    Shard b = shard(topic, "shared");
    a.consumer.start();
    b.consumer.start();
    await("both collectors own partitions, all " + partitions + " between them", () -> {
      Set<TopicPartition> owned = new HashSet<>(a.consumer.assignment());
      owned.addAll(b.consumer.assignment());
      return !a.consumer.assignment().isEmpty() && !b.consumer.assignment().isEmpty()
          && a.consumer.assignment().size() + b.consumer.assignment().size() == partitions
          && owned.size() == partitions;
    }, () -> {});

    for (String host : partitionOf.keySet()) {
      send(topic, host, Reports.host(host).process(10, "client").process(20, "server")
          .listen(20, "127.0.0.1", 9000).connect(10, "127.0.0.1", 50000, "127.0.0.1", 9000)
          .at(clock.millis()));
    }
    await("every host lands on one of the two collectors", () ->
        hostsIn(a.collector.world()).size() + hostsIn(b.collector.world()).size() == partitionOf.size(),
        () -> {
          a.collector.tick(clock.millis());
          b.collector.tick(clock.millis());
        });

    for (Shard s : List.of(a, b)) {
      Set<Integer> owned = s.consumer.assignment().stream().map(TopicPartition::partition).collect(Collectors.toSet());
      Set<String> expected = partitionOf.entrySet().stream().filter(e -> owned.contains(e.getValue()))
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      assertThat(expected).as("each collector owns some hosts").isNotEmpty();
      Graph stored = s.store.stateAt(s.store.retained().to());
      assertThat(hostsIn(stored)).as("the hosts of partitions " + owned + ", stored").isEqualTo(expected);
      for (String host : expected) {
        assertThat(stored.edges()).as("the client → server edge of " + host)
            .containsKey(Edge.key(NodeIds.process(host, 10, 1010), NodeIds.process(host, 20, 1020)));
      }
    }
  }

  @Test
  void aCollectorLetsGoOfTheHostsOfPartitionsItLost() throws Exception {
    String topic = "moved.reports";
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.reports(topic, 2)), WAIT);
    Map<String, Integer> partitionOf = new LinkedHashMap<>();
    for (int i = 0; partitionOf.values().stream().distinct().count() < 2; i++) {
      partitionOf.put("host-" + i, partitionFor("host-" + i, 2));
    }
    Shard first = shard(topic, "moved");
    first.consumer.start();
    await("the first member owns both partitions", () -> first.consumer.assignment().size() == 2, () -> {});
    for (String host : partitionOf.keySet()) {
      Report r = Reports.host(host).process(10, "a").at(clock.millis());
      // A minute's interval: only the hand-over, not ageing, can take a host away within the test.
      send(topic, host, new Report(r.hostId(), r.probeId(), r.seq(), r.timestamp(), 60_000, r.host(),
          r.processes(), r.connections(), r.containers(), r.nat()));
    }
    await("the first member holds every host", () -> hostsIn(first.collector.world()).equals(partitionOf.keySet()),
        () -> first.collector.tick(clock.millis()));

    Shard second = shard(topic, "moved");
    second.consumer.start();
    await("each member owns one partition", () ->
        first.consumer.assignment().size() == 1 && second.consumer.assignment().size() == 1, () -> {});
    int kept = first.consumer.assignment().iterator().next().partition();
    Set<String> keptHosts = partitionOf.entrySet().stream().filter(e -> e.getValue() == kept)
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    await("the first member draws only the hosts of partition " + kept + ": " + keptHosts,
        () -> hostsIn(first.collector.world()).equals(keptHosts), () -> first.collector.tick(clock.millis()));
  }

  @Test
  void reportsRedeliveredAfterACrashBeforeTheCommitAddNothingToTheStore() throws Exception {
    String topic = "redelivered.reports";
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.reports(topic, 2)), WAIT);
    for (String host : List.of("h1", "h2", "h3")) {
      Reports r = Reports.host(host).process(10, "client").process(20, "server").listen(20, "127.0.0.1", 9000);
      send(topic, host, r.at(clock.millis()));
      send(topic, host, r.connect(10, "127.0.0.1", 50000, "127.0.0.1", 9000).at(clock.millis()));
    }
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));

    SimpleMeterRegistry firstRegistry = new SimpleMeterRegistry();
    Collector first = new Collector(store, firstRegistry);
    KafkaReportConsumer crashing = consumer(topic, "redelivered", first, firstRegistry);
    crashing.subscribe();
    await("the first collector takes all six reports", () -> received(firstRegistry) == 6,
        () -> crashing.pollOnce(Duration.ofMillis(200)));
    long firstTick = clock.millis();
    assertThat(first.tick(firstTick).isEmpty()).isFalse();
    // Stored, not yet committed: a crash here.
    crashing.abandon();
    Graph before = store.stateAt(firstTick);
    long deltas = store.stats().deltas();
    long keyframes = store.stats().keyframes();

    SimpleMeterRegistry secondRegistry = new SimpleMeterRegistry();
    Collector restarted = new Collector(store, secondRegistry);
    KafkaReportConsumer resumed = consumer(topic, "redelivered", restarted, secondRegistry);
    closing.add(resumed);
    resumed.subscribe();
    await("the restarted collector is given all six reports again", () -> received(secondRegistry) == 6,
        () -> resumed.pollOnce(Duration.ofMillis(200)));
    long secondTick = Math.max(clock.millis(), firstTick + 1);
    ChangeSet again = restarted.tick(secondTick);

    assertThat(again.isEmpty()).as("re-delivered reports change nothing: " + again).isTrue();
    assertThat(store.stateAt(secondTick)).isEqualTo(before);
    assertThat(store.stats().deltas()).isEqualTo(deltas);
    assertThat(store.stats().keyframes()).isEqualTo(keyframes);

    // Now stored, the next poll commits: the group's offsets reach the end of the topic.
    resumed.pollOnce(Duration.ofMillis(200));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets("redelivered").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      assertThat(committed).hasSize(2);
      for (var end : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
        assertThat(committed.get(end.getKey()).offset()).as("committed offset of " + end.getKey())
            .isEqualTo(end.getValue().offset());
      }
    }
  }

  @Test
  void aCollectorGivingUpItsPartitionsCommitsWhatItStoredSinceItsLastPoll() throws Exception {
    String topic = "handover.reports";
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.reports(topic, 2)), WAIT);
    for (String host : List.of("h1", "h2", "h3")) {
      send(topic, host, Reports.host(host).process(10, "a").at(clock.millis()));
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)), registry);
    KafkaReportConsumer leaving = consumer(topic, "handover", collector, registry);
    leaving.subscribe();
    await("the only member takes every report", () -> received(registry) == 3,
        () -> leaving.pollOnce(Duration.ofMillis(200)));
    // Stored after the last poll: only the revocation on leaving the group can commit it.
    collector.tick(clock.millis());
    leaving.close();

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("handover")
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 2; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      for (var end : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
        long expected = end.getValue().offset();
        assertThat(committed.get(end.getKey()) == null ? 0 : committed.get(end.getKey()).offset())
            .as("the next owner of " + end.getKey() + " starts after what was stored").isEqualTo(expected);
      }
    }
  }

  @Test
  void aClientResolvesItsServerOnAnotherCollectorThroughTheCompactedEndpointIndex() throws Exception {
    String topic = "cross.endpoints";
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.endpoints(topic)), WAIT);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
          .get("cleanup.policy").value()).isEqualTo("compact");
    }
    KafkaEndpointIndex indexA = endpointIndex(topic, "collector-a");
    KafkaEndpointIndex indexB = endpointIndex(topic, "collector-b");
    Collector a = new Collector(new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)),
        new SimpleMeterRegistry(), indexA);
    a.addTickListener(indexA);
    Collector b = new Collector(new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)),
        new SimpleMeterRegistry(), indexB);
    b.addTickListener(indexB);

    b.ingest(Reports.host("db-host").address("10.0.0.2").process(20, "postgres")
        .listen(20, "0.0.0.0", 5432).at(clock.millis()), clock.millis());
    b.tick(clock.millis());
    String postgres = NodeIds.process("db-host", 20, 1020);
    await("collector A reads the endpoint collector B published",
        () -> indexA.owner("10.0.0.2:5432") != null, () -> {});
    assertThat(indexA.owner("10.0.0.2:5432"))
        .isEqualTo(new KafkaEndpointIndex.Owner(postgres, "db-host", "collector-b"));
    KafkaEndpointIndex late = endpointIndex(topic, "collector-late");
    assertThat(late.owner("10.0.0.2:5432")).as("a collector started later has read the index when start returns")
        .isEqualTo(new KafkaEndpointIndex.Owner(postgres, "db-host", "collector-b"));

    Reports app = Reports.host("app-host").address("10.0.0.1").process(10, "app")
        .connect(10, "10.0.0.1", 40000, "10.0.0.2", 5432);
    a.ingest(app.at(clock.millis()), clock.millis());
    a.tick(clock.millis());
    String appNode = NodeIds.process("app-host", 10, 1010);
    assertThat(a.world().edges()).containsOnlyKeys(Edge.key(appNode, postgres));

    // Postgres stops listening: B deletes the endpoint and A sees only an address again.
    Reports stopped = Reports.host("db-host").address("10.0.0.2").process(20, "postgres");
    stopped.at(clock.millis());
    b.ingest(stopped.at(clock.millis()), clock.millis());
    b.tick(clock.millis());
    await("collector A reads the tombstone", () -> indexA.owner("10.0.0.2:5432") == null, () -> {});
    a.ingest(app.at(clock.millis()), clock.millis());
    a.tick(clock.millis());
    assertThat(a.world().edges()).containsOnlyKeys(Edge.key(appNode, "remote;10.0.0.0/24"));
  }

  @Test
  void aMalformedRecordIsSkippedAndCountedAndTheConsumerKeepsGoing() throws Exception {
    String topic = "malformed.reports";
    KafkaTopics.ensure(cluster.bootstrapServers(), Map.of(), List.of(KafkaTopics.reports(topic, 1)), WAIT);
    send(topic, "good-1", Reports.host("good-1").process(10, "a").at(clock.millis()));
    producer.send(new ProducerRecord<>(topic, "garbled", "{\"hostId\": \"garbled\", \"seq\": ".getBytes(StandardCharsets.UTF_8)));
    send(topic, "no-probe", new Report("no-probe", " ", 1, clock.millis(), 1000, null, List.of(), List.of()));
    send(topic, "good-2", Reports.host("good-2").process(10, "b").at(clock.millis()));
    producer.flush();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)), registry);
    KafkaReportConsumer consumer = consumer(topic, "malformed", collector, registry);
    closing.add(consumer);
    consumer.start();
    await("both good reports, around the bad ones, reach the collector", () -> received(registry) == 2, () -> {});
    assertThat(consumer.skipped()).isEqualTo(2);
    assertThat(registry.counter("chronoscope.kafka.reports.skipped").count()).isEqualTo(2);
    collector.tick(clock.millis());
    assertThat(hostsIn(collector.world())).containsExactlyInAnyOrder("good-1", "good-2");
  }

  private record Shard(Collector collector, MemoryTopologyStore store, KafkaReportConsumer consumer) {}

  private Shard shard(String topic, String group) {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Collector collector = new Collector(store, registry);
    KafkaReportConsumer consumer = consumer(topic, group, collector, registry);
    closing.add(consumer);
    return new Shard(collector, store, consumer);
  }

  private KafkaReportConsumer consumer(String topic, String group, Collector collector, SimpleMeterRegistry registry) {
    return new KafkaReportConsumer(cluster.bootstrapServers(), topic, group, CONSUMER, collector, clock, registry);
  }

  private KafkaEndpointIndex endpointIndex(String topic, String collectorId) {
    KafkaEndpointIndex index = new KafkaEndpointIndex(cluster.bootstrapServers(), topic, collectorId, Map.of());
    closing.add(index);
    index.start(WAIT);
    return index;
  }

  private static void send(String topic, String key, Report report) throws Exception {
    producer.send(new ProducerRecord<>(topic, key, Json.mapper().writeValueAsBytes(report))).get(30, TimeUnit.SECONDS);
  }

  /** Where the producer's default partitioner puts a keyed record. */
  private static int partitionFor(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static double received(SimpleMeterRegistry registry) {
    return registry.counter("chronoscope.reports.received").count();
  }

  private static Set<String> hostsIn(Graph g) {
    return g.nodes().values().stream().filter(n -> Kinds.HOST.equals(n.kind()))
        .map(n -> (String) n.attrs().get("host")).collect(Collectors.toSet());
  }

  /** Repeats {@code step} until {@code done}, failing after {@link #WAIT} with what was awaited. */
  private static void await(String what, BooleanSupplier done, Runnable step) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited " + WAIT + " for: " + what);
      }
      step.run();
      Thread.sleep(50);
    }
  }
}
