package io.chronoscope.collector.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the collectors' topics when missing and waits until every partition has a leader: a
 * freshly created topic refuses produce and fetch until then (KAFKA-15591).
 */
public final class KafkaTopics {
  public static final String REPORTS = "chronoscope.reports";
  public static final String ENDPOINTS = "chronoscope.endpoints";
  public static final int DEFAULT_REPORT_PARTITIONS = 12;
  /** The endpoint index is small and read whole by every collector: a few partitions suffice. */
  public static final int ENDPOINT_PARTITIONS = 3;

  private KafkaTopics() {}

  /** The reports topic, partitioned by host id; the brokers' default replication and retention. */
  public static NewTopic reports(String name, int partitions) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty());
  }

  /** The endpoint index: compacted, so it keeps the latest owner of every endpoint forever. */
  public static NewTopic endpoints(String name) {
    return new NewTopic(name, Optional.of(ENDPOINT_PARTITIONS), Optional.empty())
        .configs(Map.of("cleanup.policy", "compact"));
  }

  /**
   * @param overrides further admin settings (TLS, SASL, ...)
   * @throws IllegalStateException naming the brokers when they do not answer, or a topic gets no
   *     leaders, within {@code timeout}
   */
  public static void ensure(String bootstrapServers, Map<String, Object> overrides, List<NewTopic> topics,
      Duration timeout) {
    Map<String, Object> config = new HashMap<>(overrides);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(config)) {
      Set<String> existing = admin.listTopics().names().get(remaining(deadline), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      topics.stream().filter(t -> !existing.contains(t.name())).forEach(missing::add);
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(remaining(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          // Another collector starting at the same moment created it first.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      List<String> names = topics.stream().map(NewTopic::name).toList();
      while (!allLed(admin, names, deadline)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka topics " + names + " at " + bootstrapServers
              + " have partitions without a leader after " + timeout);
        }
        Thread.sleep(100);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka brokers at " + bootstrapServers + " did not answer within "
          + timeout, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create Kafka topics at " + bootstrapServers + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (KafkaException e) {
      throw new IllegalStateException("cannot talk to Kafka at " + bootstrapServers + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrapServers, e);
    }
  }

  private static boolean allLed(Admin admin, List<String> names, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, TopicDescription> described;
    try {
      described = admin.describeTopics(names).allTopicNames().get(remaining(deadline), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        // Created, but the broker we asked has not learnt of it yet.
        return false;
      }
      throw e;
    }
    return described.values().stream().flatMap(d -> d.partitions().stream())
        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
  }

  private static long remaining(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }
}
