package io.chronoscope.collector.kafka;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.EndpointIndex;
import io.chronoscope.model.Connection;
import io.chronoscope.model.Json;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.topology.ChangeSet;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The listening endpoints of every collector's hosts, kept on a compacted topic (key
 * {@code ip:port}, value the owner as JSON, a tombstone when the endpoint goes away). Each
 * collector publishes the endpoints of the hosts it holds after every tick and reads the whole
 * topic, outside any group, so a client's edge resolves even when its server reports elsewhere.
 *
 * <p>Keys mirror the collector's own global listener index: routable addresses only, wildcard
 * listeners expanded to the host's addresses; loopback never leaves its host.
 */
public final class KafkaEndpointIndex implements EndpointIndex, Collector.TickListener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaEndpointIndex.class.getName());

  /** Who listens on an endpoint, and which collector said so. */
  public record Owner(String nodeId, String hostId, String collector) {}

  private final String topic;
  private final String collectorId;
  private final Producer<String, byte[]> producer;
  private final Consumer<String, byte[]> reader;
  private final Map<String, Owner> index = new ConcurrentHashMap<>();
  /** What this collector last sent per endpoint; tick thread only. */
  private final Map<String, Owner> published = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private Thread thread;

  /**
   * @param collectorId names this collector in what it publishes, so it never deletes an endpoint
   *                    another collector has taken over
   * @param overrides   further client settings (TLS, SASL, ...)
   */
  public KafkaEndpointIndex(String bootstrapServers, String topic, String collectorId,
      Map<String, Object> overrides) {
    this.topic = topic;
    this.collectorId = collectorId;
    Map<String, Object> p = new HashMap<>(overrides);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "chronoscope-endpoints-" + collectorId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // Sends happen on the tick thread: a missing broker must not hold up the next tick.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    Map<String, Object> c = new HashMap<>(overrides);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "chronoscope-endpoint-index-" + collectorId);
    // No group: every collector reads every partition, and nothing is committed.
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.reader = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Reads the whole topic from its beginning before returning, so the first tick already resolves
   * what other collectors published (an edge drawn to an address and then to a process would be a
   * change in history that never happened); then follows the topic on a thread of its own.
   *
   * @throws IllegalStateException when the topic is missing or cannot be read up to its end within
   *     {@code timeout}
   */
  public void start(Duration timeout) {
    List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException("Kafka topic " + topic + " does not exist; create it first");
    }
    reader.assign(partitions);
    reader.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = reader.endOffsets(partitions, timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (ends.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), timeout) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cannot read the endpoint index " + topic + " to its end within " + timeout);
      }
      reader.poll(Duration.ofMillis(200)).forEach(this::apply);
    }
    running.set(true);
    thread = new Thread(this::follow, "chronoscope-kafka-endpoints");
    thread.setDaemon(true);
    thread.start();
  }

  private void follow() {
    try {
      while (running.get()) {
        try {
          reader.poll(Duration.ofMillis(500)).forEach(this::apply);
        } catch (WakeupException e) {
          // close() asked us to stop.
        } catch (KafkaException e) {
          LOG.log(Level.WARNING, "reading the endpoint index " + topic + " failed; retrying", e);
        }
      }
    } finally {
      reader.close(Duration.ofSeconds(5));
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      index.remove(record.key());
      return;
    }
    try {
      index.put(record.key(), Json.mapper().readValue(record.value(), Owner.class));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "skipping endpoint " + record.key() + " at " + topic + "-" + record.partition()
          + " offset " + record.offset() + ": not an owner as JSON: " + e.getMessage());
    }
  }

  @Override
  public String listener(String address, int port) {
    Owner owner = index.get(address + ":" + port);
    return owner == null ? null : owner.nodeId();
  }

  /** The owner of {@code ip:port} as this collector last read it; null when none. */
  public Owner owner(String endpoint) {
    return index.get(endpoint);
  }

  /** After every stored tick: publishes what appeared or changed, deletes what went away. */
  @Override
  public void stored(Collection<Report> merged, ChangeSet changes) {
    Map<String, Owner> now = endpointsOf(merged);
    now.forEach((endpoint, owner) -> {
      if (!owner.equals(published.get(endpoint))) {
        send(endpoint, owner);
      }
    });
    for (String endpoint : List.copyOf(published.keySet())) {
      if (!now.containsKey(endpoint)) {
        Owner current = index.get(endpoint);
        // A host that moved to another collector is published there: leave its endpoints alone.
        if (current == null || collectorId.equals(current.collector())) {
          send(endpoint, null);
        } else {
          published.remove(endpoint);
        }
      }
    }
  }

  private void send(String endpoint, Owner owner) {
    byte[] value;
    try {
      value = owner == null ? null : Json.mapper().writeValueAsBytes(owner);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the owner of " + endpoint + " as JSON", e);
    }
    try {
      producer.send(new ProducerRecord<>(topic, endpoint, value), (metadata, error) -> {
        if (error != null) {
          LOG.log(Level.WARNING, "Kafka did not take endpoint " + endpoint + " for " + topic + ": " + error);
        }
      });
      if (owner == null) {
        published.remove(endpoint);
      } else {
        published.put(endpoint, owner);
      }
    } catch (KafkaException e) {
      // Not recorded as published: the next tick tries again.
      LOG.log(Level.WARNING, "cannot queue endpoint " + endpoint + " for " + topic + ": " + e);
    }
  }

  private Map<String, Owner> endpointsOf(Collection<Report> reports) {
    Map<String, Owner> endpoints = new HashMap<>();
    for (Report r : reports) {
      Map<Integer, ProcessInfo> byPid = new HashMap<>();
      r.processes().forEach(p -> byPid.put(p.pid(), p));
      List<String> hostAddresses = r.host() == null ? List.of() : r.host().addresses();
      for (Connection c : r.connections()) {
        if (!c.listening() || c.pid() == null || !byPid.containsKey(c.pid())) {
          continue;
        }
        Owner owner = new Owner(byPid.get(c.pid()).nodeId(r.hostId()), r.hostId(), collectorId);
        List<String> addresses = isWildcard(c.localAddress()) ? hostAddresses : List.of(c.localAddress());
        for (String a : addresses) {
          if (!isLoopback(a)) {
            endpoints.putIfAbsent(a + ":" + c.localPort(), owner);
          }
        }
      }
    }
    return endpoints;
  }

  private static boolean isWildcard(String address) {
    return "0.0.0.0".equals(address) || "::".equals(address);
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || "::1".equals(address);
  }

  public String topic() {
    return topic;
  }

  @Override
  public void close() {
    running.set(false);
    if (thread != null) {
      reader.wakeup();
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      reader.close(Duration.ZERO);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
