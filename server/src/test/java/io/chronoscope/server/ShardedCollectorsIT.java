package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.store.postgres.PostgresTestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two packaged Chronoscopes as one Kafka consumer group over one PostgreSQL, each with its own
 * shard: the hosts split between them, and either API answers for all of them.
 */
class ShardedCollectorsIT {
  private static final String TOKEN = "it-token-" + Long.toHexString(System.nanoTime());
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TOPIC = "sharded.reports";
  private static final int HOSTS = 8;
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();

  @Test
  void eachCollectorStoresItsHostsAndEitherApiShowsEveryHost() throws Exception {
    PostgresTestDatabase pg = PostgresTestDatabase.require();
    pg.dropSchema("chronoscope");
    List<Process> apps = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      for (String shard : List.of("collector-1", "collector-2")) {
        int port = PackagedJar.freePort();
        ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
            "--home", Files.createTempDirectory("chronoscope-shard-it-").toString(), "--no-ui")
            .redirectError(Path.of("target", "it-" + shard + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("CHRONOSCOPE_TOKEN", TOKEN);
        env.put("KAFKA_BOOTSTRAP_SERVERS", BROKER.bootstrapServers());
        env.put("CHRONOSCOPE_KAFKA_TOPIC", TOPIC);
        env.put("CHRONOSCOPE_KAFKA_PARTITIONS", "4");
        env.put("CHRONOSCOPE_KAFKA_GROUP", "sharded-it");
        env.put("CHRONOSCOPE_STORAGE", "postgres");
        env.put("CHRONOSCOPE_PG_URL", pg.url());
        env.put("CHRONOSCOPE_PG_USER", pg.user());
        env.put("CHRONOSCOPE_PG_PASSWORD", pg.password());
        env.put("CHRONOSCOPE_SHARD", shard);
        Process app = pb.start();
        apps.add(app);
        ports.add(port);
        BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
        for (String line = ""; !line.contains("?token="); ) {
          line = out.readLine();
          assertThat(line).as("Chronoscope prints its login URL (see target/it-%s.log)", shard).isNotNull();
        }
      }

      // Produce once both have joined: before that the first one would consume every partition.
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", BROKER.bootstrapServers()))) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
          ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("sharded-it")).all()
              .get(30, TimeUnit.SECONDS).get("sharded-it");
          if (group.groupState() == GroupState.STABLE && group.members().size() == 2
              && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
            break;
          }
          if (System.nanoTime() > deadline) {
            fail("waited " + WAIT + " for both collectors to join group sharded-it: " + group);
          }
          Thread.sleep(250);
        }
      }
      List<String> expected = new ArrayList<>();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          Map.of("bootstrap.servers", BROKER.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
        for (int i = 1; i <= HOSTS; i++) {
          String host = "shard-host-" + i;
          expected.add(host + "-name");
          producer.send(new ProducerRecord<>(TOPIC, host, Json.mapper().writeValueAsBytes(report(host))))
              .get(30, TimeUnit.SECONDS);
        }
      }

      for (int port : ports) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
          TreeSet<String> labels = hostLabels(port);
          if (labels.containsAll(expected)) {
            break;
          }
          if (System.nanoTime() > deadline) {
            fail("waited " + WAIT + " for the hosts view on port " + port + " to show all " + HOSTS
                + " hosts; it shows " + labels);
          }
          Thread.sleep(250);
        }
      }
      // The hosts were split between the two shards (the keys hash onto partitions of both), not
      // all stored by one collector: each shard holds some of them and no host is in both.
      try (Connection c = pg.connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT shard, count(DISTINCT id) FROM chronoscope.entity_spans"
              + " WHERE name LIKE 'shard-host-%' GROUP BY shard ORDER BY shard")) {
        List<String> shards = new ArrayList<>();
        int total = 0;
        while (rs.next()) {
          shards.add(rs.getString(1));
          assertThat(rs.getInt(2)).as("hosts stored by %s", rs.getString(1)).isPositive();
          total += rs.getInt(2);
        }
        assertThat(shards).containsExactly("collector-1", "collector-2");
        assertThat(total).isEqualTo(HOSTS);
      }
    } finally {
      for (Process app : apps) {
        app.destroy();
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  private static TreeSet<String> hostLabels(int port) throws Exception {
    HttpResponse<String> hosts = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/v1/topology/hosts")).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(hosts.statusCode()).as(hosts.body()).isEqualTo(200);
    JsonNode body = Json.mapper().readTree(hosts.body());
    return new TreeSet<>(body.get("nodes").findValuesAsText("label"));
  }

  private static Report report(String host) {
    // A long interval: the host stays live however long the group takes to form.
    return new Report(host, "probe-" + host, 1, System.currentTimeMillis(), 300_000,
        new HostInfo(host + "-name", "6.18", "Debian", List.of("127.0.0.1"), 2, 1 << 30, 0.1),
        List.of(), List.of(), List.of(), List.of());
  }

}
