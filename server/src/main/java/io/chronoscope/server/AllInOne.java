package io.chronoscope.server;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.MetricsRecorder;
import io.chronoscope.collector.EndpointIndex;
import io.chronoscope.collector.kafka.KafkaEndpointIndex;
import io.chronoscope.collector.kafka.KafkaReportConsumer;
import io.chronoscope.collector.kafka.KafkaTopics;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import io.chronoscope.probe.ProbeLoop;
import io.chronoscope.server.http.UiEndpoint;
import io.chronoscope.server.security.AccessToken;
import io.chronoscope.server.security.IngestToken;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.ui.UiServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs every role in one process: probe of this host → collector → store → API and UI.
 * With Kafka settings the collector also joins the collectors' consumer group for reports.
 * Plain objects are built here and handed to Micronaut as singletons, so the libraries never
 * depend on the DI framework.
 */
public final class AllInOne implements AutoCloseable {
  /** Metric resolution: one sample per series per 10 s, whatever the tick interval. */
  static final long METRICS_INTERVAL_MS = 10_000;

  private static final System.Logger LOG = System.getLogger(AllInOne.class.getName());

  /** Everything the all-in-one needs to start; see {@link Chronoscope} for flags and env vars. */
  public record Settings(int port, String bind, Path home, String tokenFromEnv, Duration retention,
      Duration keyframeInterval, Duration probeInterval, Duration tickInterval, boolean ui,
      String ingestTokenFromEnv, StorageSettings storage, KafkaSettings kafka) {

    /** History in memory; without Kafka: reports come over HTTP and from this host's probe. */
    public Settings(int port, String bind, Path home, String tokenFromEnv, Duration retention,
        Duration keyframeInterval, Duration probeInterval, Duration tickInterval, boolean ui,
        String ingestTokenFromEnv) {
      this(port, bind, home, tokenFromEnv, retention, keyframeInterval, probeInterval, tickInterval,
          ui, ingestTokenFromEnv, StorageSettings.memory(), null);
    }

    /** Without an ingest token from the environment: generated in {@code <home>/ingest-token}. */
    public Settings(int port, String bind, Path home, String tokenFromEnv, Duration retention,
        Duration keyframeInterval, Duration probeInterval, Duration tickInterval, boolean ui) {
      this(port, bind, home, tokenFromEnv, retention, keyframeInterval, probeInterval, tickInterval,
          ui, null);
    }
  }

  /**
   * Collectors sharing hosts through Kafka: this one joins {@code group} on {@code reportsTopic}
   * and shares listening endpoints on {@code endpointsTopic}.
   *
   * @param timeout how long the brokers get to answer at start-up
   */
  public record KafkaSettings(String bootstrapServers, String reportsTopic, String group,
      int reportPartitions, String endpointsTopic, Duration timeout) {}

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private String loginUrl;
  private String ingestTokenSource;
  private String storageDescription;
  private int port;

  private AllInOne() {}

  public static AllInOne start(Settings s) {
    AllInOne app = new AllInOne();
    try {
      app.startAll(s);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startAll(Settings s) {
    AccessToken token = AccessToken.load(s.tokenFromEnv(), s.home());
    IngestToken ingestToken = IngestToken.load(s.ingestTokenFromEnv(), s.home());
    ingestTokenSource = ingestToken.source();
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // Before anything listens: a database that cannot be reached stops start-up with its setting named.
    StorageSettings.Opened opened = s.storage().open(s.home(), s.retention(), s.keyframeInterval(), resources);
    // The collector writes its own shard; the API reads every shard (StorageSettings.Opened).
    TopologyStore ownShard = opened.own();
    TopologyStore store = opened.reads();
    storageDescription = s.storage().describe(s.home());
    KafkaEndpointIndex endpoints = s.kafka() == null ? null : startEndpointIndex(s.kafka());
    Collector collector = new Collector(ownShard, registry, endpoints == null ? EndpointIndex.NONE : endpoints);
    if (endpoints != null) {
      collector.addTickListener(endpoints);
    }
    // In a Kafka group each collector sees only its hosts: its workload figures are one part of the whole.
    collector.addTickListener(new MetricsRecorder(collector, store.metrics(), METRICS_INTERVAL_MS,
        s.kafka() == null ? null : s.storage().shard(), registry));
    UiEndpoint uiEndpoint = new UiEndpoint(AccessToken.randomToken());
    DeployWiring deploys = DeployWiring.of(ownShard, System.getenv());

    ApplicationContext ctx = ApplicationContext.builder()
        .properties(Map.of(
            "micronaut.application.name", "chronoscope",
            "micronaut.server.port", s.port(),
            "micronaut.server.host", s.bind(),
            "micronaut.server.max-request-size", "10MB",
            "micronaut.http.client.read-timeout", "60s"))
        .singletons(token, ingestToken, clock, registry, store, collector, uiEndpoint, deploys.recorder(),
            deploys.secrets(), deploys.timeline())
        .start();
    resources.push(ctx);
    EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
    try {
      server.start();
    } catch (RuntimeException e) {
      throw new ConfigurationException("cannot listen on " + s.bind() + ":" + s.port()
          + " (is another Chronoscope running? choose another with --port or CHRONOSCOPE_PORT): "
          + e.getMessage(), e);
    }
    port = server.getPort();

    if (s.ui()) {
      UiServer ui = new UiServer(ctx, uiEndpoint.secret());
      resources.push(ui);
      uiEndpoint.started(ui.start("127.0.0.1", 0));
    }

    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "chronoscope-collector-tick");
      t.setDaemon(true);
      return t;
    });
    resources.push(ticker::shutdownNow);
    ticker.scheduleAtFixedRate(() -> {
      try {
        collector.tick(clock.millis());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "collector tick failed; the next tick retries", e);
      }
    }, s.tickInterval().toMillis(), s.tickInterval().toMillis(), TimeUnit.MILLISECONDS);

    KubernetesWiring.startIfConfigured(deploys.recorder(), System.getenv(), clock, resources);
    ticker.scheduleAtFixedRate(() -> {
      try {
        deploys.verdicts().run(clock.millis());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "judging deploys failed; the next run retries", e);
      }
    }, 1, 1, TimeUnit.MINUTES);

    if (s.kafka() != null) {
      KafkaReportConsumer consumer = new KafkaReportConsumer(s.kafka().bootstrapServers(),
          s.kafka().reportsTopic(), s.kafka().group(), Map.of(), collector, clock, registry);
      resources.push(consumer);
      consumer.start();
    }

    Probe probe = new Probe(ProbeConfig.defaults().withIntervalMs(s.probeInterval().toMillis()));
    // The loop owns the probe and closes it.
    resources.push(new ProbeLoop(probe, report -> collector.ingest(report, clock.millis())));

    String host = "0.0.0.0".equals(s.bind()) || "::".equals(s.bind()) ? "localhost" : s.bind();
    loginUrl = "http://" + host + ":" + port + "/?token=" + token.value();
  }

  /** Creates the topics when missing, waits for their leaders and starts reading the endpoint index. */
  private KafkaEndpointIndex startEndpointIndex(KafkaSettings k) {
    try {
      KafkaTopics.ensure(k.bootstrapServers(), Map.of(), List.of(
          KafkaTopics.reports(k.reportsTopic(), k.reportPartitions()),
          KafkaTopics.endpoints(k.endpointsTopic())), k.timeout());
    } catch (IllegalStateException e) {
      throw new IllegalStateException("cannot use Kafka at KAFKA_BOOTSTRAP_SERVERS=" + k.bootstrapServers()
          + ": " + e.getMessage() + " (check the brokers are up and reachable from here)", e);
    }
    KafkaEndpointIndex endpoints = new KafkaEndpointIndex(k.bootstrapServers(), k.endpointsTopic(),
        collectorId(), Map.of());
    resources.push(endpoints);
    try {
      endpoints.start(k.timeout());
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot read the endpoint index from Kafka at KAFKA_BOOTSTRAP_SERVERS="
          + k.bootstrapServers() + ": " + e.getMessage(), e);
    }
    return endpoints;
  }

  /** Names this collector in the endpoint index: host and process, unique among running collectors. */
  private static String collectorId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "collector";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  public String loginUrl() {
    return loginUrl;
  }

  /** Where the ingest token for probes comes from: a file path or the environment variable. */
  public String ingestTokenSource() {
    return ingestTokenSource;
  }

  /** Where history is kept, as start-up prints it (never a password). */
  public String storageDescription() {
    return storageDescription;
  }

  public int port() {
    return port;
  }

  public void awaitShutdown() throws InterruptedException {
    stopped.await();
  }

  @Override
  public synchronized void close() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "error while stopping", e);
      }
    }
    stopped.countDown();
  }
}
