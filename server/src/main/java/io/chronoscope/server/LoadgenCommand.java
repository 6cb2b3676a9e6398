package io.chronoscope.server;

import io.chronoscope.probe.publish.Backoff;
import io.chronoscope.probe.publish.HttpPublisher;
import io.chronoscope.probe.publish.KafkaPublisher;
import io.chronoscope.probe.publish.ReportPublisher;
import io.chronoscope.server.loadgen.Delivery;
import io.chronoscope.server.loadgen.LoadRun;
import io.chronoscope.server.loadgen.SimulatedWorld;
import io.chronoscope.server.loadgen.WorldShape;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Simulates a cluster of hosts running pods that come and go and talk to each other, and
 * publishes a real report per simulated host every interval, through the probe's own publishers.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Simulate hosts with containers, pods and services that come and go and connect "
        + "to each other, and send their reports to a collector (--collector URL) or to Kafka "
        + "(--kafka SERVERS).", "Progress goes to stderr; the exit code is 0 when the collector "
        + "accepted every report, 1 when some were not, 2 for a usage error."})
final class LoadgenCommand implements Callable<Integer> {
  /** Senders for --collector: one HTTP publisher sends one report at a time. */
  static final int MAX_SENDERS = 8;
  /**
   * Longer than a probe's 5 s: a bounded run should account for every report it made, even
   * when a just-started collector is slow to take the first ones.
   */
  static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(20);

  @Spec
  CommandSpec spec;

  @Option(names = "--hosts", paramLabel = "N", defaultValue = "3",
      description = "Simulated hosts, 1.." + WorldShape.MAX_HOSTS + " (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--containers", paramLabel = "M", defaultValue = "8",
      description = "Containers (one per pod) on each host, 0.." + WorldShape.MAX_CONTAINERS_PER_HOST
          + " (default ${DEFAULT-VALUE}).")
  int containers;

  @Option(names = "--connections", paramLabel = "K", defaultValue = "40",
      description = "Established connections in the whole cluster, 0.." + WorldShape.MAX_CONNECTIONS
          + " (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--churn", paramLabel = "P", defaultValue = "5",
      description = "Percent of all containers replaced by new pods each tick, 0..100 "
          + "(default ${DEFAULT-VALUE}).")
  double churn;

  @Option(names = "--seed", description = "Seed of the simulation: the same seed gives the same "
      + "hosts, pods and connections (default: random, printed at start).")
  Long seed;

  @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
      description = "Time between two ticks (default ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--ticks", paramLabel = "T",
      description = "Stop after sending T rounds of reports (default: run until stopped).")
  Long ticks;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "Stop after this long, e.g. 10m (default: run until stopped).")
  Duration duration;

  @Option(names = "--collector", paramLabel = "URL",
      description = "Collector to POST reports to, e.g. http://collector:4040.")
  String collector;

  @Option(names = "--token",
      description = "Ingest token for --collector (env CHRONOSCOPE_INGEST_TOKEN).")
  String token;

  @Option(names = "--kafka", paramLabel = "SERVERS",
      description = "Kafka bootstrap servers host:port[,...] to publish to instead "
          + "(env KAFKA_BOOTSTRAP_SERVERS).")
  String kafka;

  @Option(names = "--topic",
      description = "Kafka topic (env CHRONOSCOPE_KAFKA_TOPIC, default " + KafkaPublisher.DEFAULT_TOPIC + ").")
  String topic;

  private final Map<String, String> env;

  LoadgenCommand() {
    this(System.getenv());
  }

  /** @param env where the token, Kafka servers and topic come from when not given as flags */
  LoadgenCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    WorldShape shape = shape();
    if (ticks != null && duration != null) {
      throw usage("Give --ticks or --duration, not both");
    }
    if (ticks != null && ticks < 1) {
      throw usage("Invalid value for option '--ticks': " + ticks + " must be at least 1");
    }
    List<ReportPublisher> publishers = publishers();
    PrintStream err = System.err;
    err.println(String.format(Locale.ROOT, "loadgen: %d hosts × %d containers, %d connections, "
        + "churn %s%% per tick, --seed %d, every %d ms, publishing to %s", shape.hosts(),
        shape.containersPerHost(), shape.connections(), percent(shape.churnPercent()),
        shape.seed(), interval.toMillis(), destination(publishers)));
    SimulatedWorld world = new SimulatedWorld(shape, System.currentTimeMillis(), interval.toMillis());
    LoadRun run = new LoadRun(world, publishers, () -> Delivery.of(publishers), interval,
        ticks == null ? 0 : ticks, duration, err, System::currentTimeMillis);
    CountDownLatch finished = new CountDownLatch(1);
    // SIGTERM/SIGINT: stop ticking, then let the main thread flush and summarize.
    Thread hook = new Thread(() -> {
      run.stop();
      try {
        finished.await(FLUSH_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "chronoscope-loadgen-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      run.run();
    } finally {
      closeAll(publishers);
      LoadRun.Summary summary = run.summary();
      err.println("loadgen: done: " + summary.describe());
      finished.countDown();
    }
    LoadRun.Summary summary = run.summary();
    if (summary.undelivered() > 0) {
      err.println("loadgen: " + summary.undelivered() + " of " + summary.published()
          + " reports were not accepted; see the warnings above");
      return 1;
    }
    return 0;
  }

  private WorldShape shape() {
    if (hosts < 1 || hosts > WorldShape.MAX_HOSTS) {
      throw usage("Invalid value for option '--hosts': " + hosts + " is not 1.." + WorldShape.MAX_HOSTS);
    }
    if (containers < 0 || containers > WorldShape.MAX_CONTAINERS_PER_HOST) {
      throw usage("Invalid value for option '--containers': " + containers + " is not 0.."
          + WorldShape.MAX_CONTAINERS_PER_HOST + " (a host's /24 pod network)");
    }
    if (connections < 0 || connections > WorldShape.MAX_CONNECTIONS) {
      throw usage("Invalid value for option '--connections': " + connections + " is not 0.."
          + WorldShape.MAX_CONNECTIONS);
    }
    if (connections > 0 && (long) hosts * containers < 2) {
      throw usage("Invalid value for option '--connections': " + connections + " connections need "
          + "at least 2 containers in all (--hosts × --containers), there are " + hosts * containers);
    }
    if (!(churn >= 0 && churn <= 100)) {
      throw usage("Invalid value for option '--churn': " + percent(churn) + " is not a percentage 0..100");
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    return new WorldShape(hosts, containers, connections, churn, s);
  }

  private List<ReportPublisher> publishers() {
    if (collector != null && kafka != null) {
      throw usage("Give --collector or --kafka, not both");
    }
    if (collector != null) {
      URI base;
      try {
        base = new URI(collector.trim());
        HttpPublisher.endpoint(base);
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw usage("Invalid value for option '--collector': '" + collector
            + "' is not an http(s) URL with a host; write e.g. http://collector:4040");
      }
      String ingestToken = token != null ? token : env.get("CHRONOSCOPE_INGEST_TOKEN");
      if (ingestToken == null || ingestToken.isBlank()) {
        throw usage("Missing ingest token for --collector: give --token TOKEN or set "
            + "CHRONOSCOPE_INGEST_TOKEN (the collector keeps it in <home>/ingest-token)");
      }
      int senders = Math.min(hosts, MAX_SENDERS);
      int hostsPerSender = (hosts + senders - 1) / senders;
      // Room for three ticks of each sender's hosts before the oldest reports are dropped.
      int capacity = Math.max(HttpPublisher.DEFAULT_CAPACITY, 3 * hostsPerSender);
      List<ReportPublisher> publishers = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        publishers.add(new HttpPublisher(base, ingestToken, capacity, Backoff.DEFAULT, FLUSH_TIMEOUT));
      }
      return publishers;
    }
    String kafkaServers = kafka != null ? kafka : env.get("KAFKA_BOOTSTRAP_SERVERS");
    if (kafkaServers != null && !kafkaServers.isBlank()) {
      String t = topic != null ? topic : env.getOrDefault("CHRONOSCOPE_KAFKA_TOPIC", KafkaPublisher.DEFAULT_TOPIC);
      if (t.isBlank()) {
        throw usage("Invalid value for option '--topic': must not be blank");
      }
      return List.of(new KafkaPublisher(kafkaServers.trim(), t, Map.of()));
    }
    if (kafka != null) {
      throw usage("Invalid value for option '--kafka': must not be blank; write host:port[,host:port...]");
    }
    throw usage("Nowhere to publish: give --collector URL (with --token) or --kafka SERVERS");
  }

  private static String destination(List<ReportPublisher> publishers) {
    if (publishers.get(0) instanceof HttpPublisher http) {
      return http.endpoint() + " through " + publishers.size() + " sender"
          + (publishers.size() == 1 ? "" : "s");
    }
    KafkaPublisher k = (KafkaPublisher) publishers.get(0);
    return "Kafka topic " + k.topic() + " at " + k.config().get("bootstrap.servers");
  }

  /** Closes all at once: each close may flush for up to {@link #FLUSH_TIMEOUT}. */
  private static void closeAll(List<ReportPublisher> publishers) throws InterruptedException {
    List<Thread> closing = new ArrayList<>();
    for (ReportPublisher p : publishers) {
      Thread t = new Thread(p::close, "chronoscope-loadgen-close");
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      t.join();
    }
  }

  private static String percent(double value) {
    return value == Math.rint(value) && !Double.isInfinite(value)
        ? String.valueOf((long) value) : String.valueOf(value);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
