package io.chronoscope.server;

import io.chronoscope.collector.kafka.KafkaReportConsumer;
import io.chronoscope.collector.kafka.KafkaTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one jar. With no subcommand it runs everything on this host: probe, collector, store
 * (memory unless --storage says otherwise), API and UI on one port. Subcommands run single roles.
 */
@Command(name = "chronoscope", mixinStandardHelpOptions = true, version = "chronoscope 0.1.0",
    description = "Shows what runs where and who talks to whom, and lets you rewind it.",
    subcommands = {ProbeCommand.class, LoadgenCommand.class, AnnotateCommand.class},
    sortOptions = false)
public final class Chronoscope implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "${env:CHRONOSCOPE_PORT:-4040}",
      description = "Port for API and UI (env CHRONOSCOPE_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "${env:CHRONOSCOPE_BIND:-0.0.0.0}",
      description = "Address to listen on (env CHRONOSCOPE_BIND, default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--home", defaultValue = "${env:CHRONOSCOPE_HOME:-${sys:user.home}/.chronoscope}",
      description = "Directory for the token and local state (env CHRONOSCOPE_HOME, default ${DEFAULT-VALUE}).")
  Path home;

  @Option(names = "--retention", defaultValue = "${env:CHRONOSCOPE_RETENTION:-6h}",
      converter = DurationConverter.class,
      description = "How much history to keep (env CHRONOSCOPE_RETENTION, default ${DEFAULT-VALUE}).")
  Duration retention;

  @Option(names = "--keyframe-interval", defaultValue = "${env:CHRONOSCOPE_KEYFRAME_INTERVAL:-10m}",
      converter = DurationConverter.class,
      description = "Time between complete snapshots of the graph (env CHRONOSCOPE_KEYFRAME_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration keyframeInterval;

  @Option(names = "--probe-interval", defaultValue = "${env:CHRONOSCOPE_PROBE_INTERVAL:-1s}",
      converter = DurationConverter.class,
      description = "Time between two scans of this host (env CHRONOSCOPE_PROBE_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration probeInterval;

  @Option(names = "--tick-interval", defaultValue = "${env:CHRONOSCOPE_TICK_INTERVAL:-1s}",
      converter = DurationConverter.class,
      description = "Time between two collector ticks (env CHRONOSCOPE_TICK_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration tickInterval;

  @Option(names = "--storage", defaultValue = "${env:CHRONOSCOPE_STORAGE:-memory}",
      description = "Where history is kept: memory, postgres or embedded-postgres (env CHRONOSCOPE_STORAGE, default ${DEFAULT-VALUE}).")
  String storage;

  @Option(names = "--pg-url", defaultValue = "${env:CHRONOSCOPE_PG_URL}",
      description = "PostgreSQL for --storage postgres, jdbc:postgresql://host:port/database (env CHRONOSCOPE_PG_URL).")
  String pgUrl;

  @Option(names = "--pg-user", defaultValue = "${env:CHRONOSCOPE_PG_USER}",
      description = "PostgreSQL user (env CHRONOSCOPE_PG_USER); the password only from env CHRONOSCOPE_PG_PASSWORD.")
  String pgUser;

  @Option(names = "--shard", defaultValue = "${env:CHRONOSCOPE_SHARD}",
      description = "This collector's part of the history in a shared PostgreSQL (env CHRONOSCOPE_SHARD):"
          + " give each collector of a Kafka group its own, stable across restarts (default: world,"
          + " or collector-<hostname> with --kafka). The API reads every shard.")
  String shard;

  @Option(names = "--no-ui", defaultValue = "${env:CHRONOSCOPE_NO_UI:-false}",
      description = "Serve the API only (env CHRONOSCOPE_NO_UI).")
  boolean noUi;

  @Option(names = "--kafka", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}", paramLabel = "SERVERS",
      description = "Also consume reports from Kafka as one of a group of collectors (env KAFKA_BOOTSTRAP_SERVERS).")
  String kafka;

  @Option(names = "--kafka-topic", defaultValue = "${env:CHRONOSCOPE_KAFKA_TOPIC:-" + KafkaTopics.REPORTS + "}",
      description = "Kafka topic of reports (env CHRONOSCOPE_KAFKA_TOPIC, default ${DEFAULT-VALUE}).")
  String kafkaTopic;

  @Option(names = "--kafka-group", defaultValue = "${env:CHRONOSCOPE_KAFKA_GROUP:-" + KafkaReportConsumer.DEFAULT_GROUP + "}",
      description = "Consumer group the collectors share (env CHRONOSCOPE_KAFKA_GROUP, default ${DEFAULT-VALUE}).")
  String kafkaGroup;

  @Option(names = "--kafka-partitions", defaultValue = "${env:CHRONOSCOPE_KAFKA_PARTITIONS:-12}",
      description = "Partitions of the reports topic when it is created: at most this many collectors share the work (env CHRONOSCOPE_KAFKA_PARTITIONS, default ${DEFAULT-VALUE}).")
  int kafkaPartitions;

  @Option(names = "--kafka-endpoints-topic", defaultValue = "${env:CHRONOSCOPE_KAFKA_ENDPOINTS_TOPIC:-" + KafkaTopics.ENDPOINTS + "}",
      description = "Compacted Kafka topic of listening endpoints (env CHRONOSCOPE_KAFKA_ENDPOINTS_TOPIC, default ${DEFAULT-VALUE}).")
  String kafkaEndpointsTopic;

  @Option(names = "--kafka-timeout", defaultValue = "${env:CHRONOSCOPE_KAFKA_TIMEOUT:-30s}",
      converter = DurationConverter.class,
      description = "How long the brokers get to answer at start-up (env CHRONOSCOPE_KAFKA_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration kafkaTimeout;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Chronoscope());
    // A store that cannot be reached or set up is a configuration problem: one line naming the
    // setting, not a stack trace.
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigurationException) {
        cmd.getErr().println("chronoscope: " + e.getMessage());
        return 1;
      }
      throw e;
    });
    int code = cli.execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "Invalid value for option '--port': " + port + " is not a port (0-65535)");
    }
    StorageSettings storageSettings;
    try {
      storageSettings = new StorageSettings(storage, pgUrl, pgUser, System.getenv("CHRONOSCOPE_PG_PASSWORD"),
          shard != null || kafka == null ? shard : "collector-" + java.net.InetAddress.getLocalHost().getHostName());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    if (kafkaPartitions < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "Invalid value for option '--kafka-partitions': " + kafkaPartitions + " (at least 1)");
    }
    AllInOne.KafkaSettings kafkaSettings = kafka == null || kafka.isBlank() ? null
        : new AllInOne.KafkaSettings(kafka, kafkaTopic, kafkaGroup, kafkaPartitions, kafkaEndpointsTopic, kafkaTimeout);
    AllInOne app = AllInOne.start(new AllInOne.Settings(port, bind, home,
        System.getenv("CHRONOSCOPE_TOKEN"), retention, keyframeInterval, probeInterval, tickInterval, !noUi,
        System.getenv("CHRONOSCOPE_INGEST_TOKEN"), storageSettings, kafkaSettings));
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "chronoscope-shutdown"));
    System.out.println();
    System.out.println("History is kept in " + app.storageDescription() + ".");
    System.out.println("Chronoscope is running. Open this URL to log in:");
    System.out.println("    " + app.loginUrl());
    System.out.println();
    // The location only: the ingest token is a secret, and start-up output ends up in logs.
    System.out.println("Probes on other hosts send reports with the ingest token from "
        + app.ingestTokenSource() + ":");
    System.out.println("    java -jar chronoscope.jar probe --collector http://THIS-HOST:" + app.port()
        + " --token <ingest token>");
    System.out.println();
    System.out.flush();
    app.awaitShutdown();
    return 0;
  }
}
