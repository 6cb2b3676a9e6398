package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The all-in-one with {@code KAFKA_BOOTSTRAP_SERVERS} set, against a real KRaft broker in this JVM. */
class AllInOneKafkaIT {
  private static final String TOKEN = "it-token-" + Long.toHexString(System.nanoTime());
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();

  @Test
  void servesReportsFromKafkaAndOverHttpOnTopicsItCreated() throws Exception {
    int port = PackagedJar.freePort();
    Path home = Files.createTempDirectory("chronoscope-kafka-it-");
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(port),
        "--home", home.toString(), "--no-ui")
        .redirectError(Path.of("target", "it-chronoscope-kafka.log").toFile());
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", BROKER.bootstrapServers());
    pb.environment().put("CHRONOSCOPE_KAFKA_TOPIC", "it.reports");
    pb.environment().put("CHRONOSCOPE_KAFKA_PARTITIONS", "3");
    Process app = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
      for (String line = ""; !line.contains("?token="); ) {
        line = out.readLine();
        assertThat(line).as("Chronoscope prints its login URL (see target/it-chronoscope-kafka.log)").isNotNull();
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", BROKER.bootstrapServers()))) {
        TopicDescription reports = admin.describeTopics(List.of("it.reports")).allTopicNames()
            .get(30, TimeUnit.SECONDS).get("it.reports");
        assertThat(reports.partitions()).hasSize(3);
        ConfigResource endpoints = new ConfigResource(ConfigResource.Type.TOPIC, "chronoscope.endpoints");
        assertThat(admin.describeConfigs(List.of(endpoints)).all().get(30, TimeUnit.SECONDS).get(endpoints)
            .get("cleanup.policy").value()).isEqualTo("compact");
      }

      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          Map.of("bootstrap.servers", BROKER.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("it.reports", "kafka-host",
            Json.mapper().writeValueAsBytes(report("kafka-host")))).get(30, TimeUnit.SECONDS);
      }
      HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(base(port) + "/api/v1/reports"))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(report("http-host"))))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        HttpResponse<String> hosts = HTTP.send(HttpRequest.newBuilder(URI.create(base(port) + "/api/v1/topology/hosts"))
            .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hosts.statusCode()).as(hosts.body()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(hosts.body());
        String labels = body.get("nodes").findValuesAsText("label").toString();
        if (labels.contains("kafka-host-name") && labels.contains("http-host-name")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          fail("waited " + WAIT + " for the hosts view to show kafka-host and http-host; it shows " + labels);
        }
        Thread.sleep(200);
      }
    } finally {
      app.destroy();
      assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void unreachableBrokersStopStartUpNamingTheVariable() throws Exception {
    int closed = PackagedJar.freePort();
    ProcessBuilder pb = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.jar(), "--port", String.valueOf(PackagedJar.freePort()),
        "--home", Files.createTempDirectory("chronoscope-kafka-it-").toString(), "--no-ui")
        .redirectErrorStream(true);
    pb.environment().put("CHRONOSCOPE_TOKEN", TOKEN);
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed);
    pb.environment().put("CHRONOSCOPE_KAFKA_TIMEOUT", "3s");
    Process app = pb.start();
    String output = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(app.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(app.exitValue()).as(output).isNotZero();
    assertThat(output).contains("KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:" + closed).doesNotContain("?token=");
  }

  private static Report report(String host) {
    // A minute's interval: the host stays live however long the group takes to form.
    return new Report(host, "probe-" + host, 1, System.currentTimeMillis(), 60_000,
        new HostInfo(host + "-name", "6.18", "Debian", List.of("127.0.0.1"), 2, 1 << 30, 0.1),
        List.of(), List.of(), List.of(), List.of());
  }

  private static String base(int port) {
    return "http://127.0.0.1:" + port;
  }

}
