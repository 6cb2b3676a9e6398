package io.chronoscope.server;

import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import io.chronoscope.probe.ProbeLoop;
import io.chronoscope.probe.publish.Backoff;
import io.chronoscope.probe.publish.HttpPublisher;
import io.chronoscope.probe.publish.KafkaPublisher;
import io.chronoscope.probe.publish.ReportPublisher;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the probe alone: scans this host every interval and publishes each report to a collector
 * over HTTP ({@code --collector}) or to Kafka ({@code --kafka}). {@code --once} prints one report
 * as JSON and exits.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Scan this host and send its reports to a collector (--collector URL) or to "
        + "Kafka (--kafka SERVERS).", "With --once, print one report as JSON on stdout and exit."})
final class ProbeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--collector", paramLabel = "URL",
      description = "Collector to POST reports to, e.g. http://collector:4040.")
  String collector;

  @Option(names = "--token", defaultValue = "${env:CHRONOSCOPE_INGEST_TOKEN}",
      description = "Ingest token for --collector (env CHRONOSCOPE_INGEST_TOKEN); the collector "
          + "keeps it in <home>/ingest-token.")
  String token;

  @Option(names = "--kafka", paramLabel = "SERVERS", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
      description = "Kafka bootstrap servers host:port[,...] to publish to instead "
          + "(env KAFKA_BOOTSTRAP_SERVERS).")
  String kafka;

  @Option(names = "--topic", defaultValue = "${env:CHRONOSCOPE_KAFKA_TOPIC:-" + KafkaPublisher.DEFAULT_TOPIC + "}",
      description = "Kafka topic (env CHRONOSCOPE_KAFKA_TOPIC, default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--report-format", paramLabel = "smile|json",
      defaultValue = "${env:CHRONOSCOPE_REPORT_FORMAT:-smile}",
      description = "How reports travel (env CHRONOSCOPE_REPORT_FORMAT, default ${DEFAULT-VALUE}): "
          + "smile (binary JSON, zstd over HTTP; half the collector's CPU) or json (gzip over HTTP).")
  String reportFormat;

  @Option(names = "--interval", defaultValue = "${env:CHRONOSCOPE_PROBE_INTERVAL:-1s}",
      converter = DurationConverter.class,
      description = "Time between two scans (env CHRONOSCOPE_PROBE_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--host-id", defaultValue = "${env:CHRONOSCOPE_HOST_ID}",
      description = "Host id to report instead of /etc/machine-id (env CHRONOSCOPE_HOST_ID).")
  String hostId;

  @Option(names = "--no-ebpf",
      description = "Do not load the eBPF tracer; short-lived connections then come from "
          + "conntrack events and polling.")
  boolean noEbpf;

  @Option(names = "--once", description = "Print one report as JSON and exit.")
  boolean once;

  @Option(names = "--explain", description = "Print which sources are active and why, on stderr.")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    if (hostId != null && hostId.isBlank()) {
      throw usage("Invalid value for option '--host-id': must not be blank");
    }
    ProbeConfig config = new ProbeConfig(hostId, null, interval.toMillis(), null, !noEbpf);
    if (once) {
      try (Probe probe = new Probe(config)) {
        if (explain) {
          probe.explain().forEach(System.err::println);
        }
        Report report = probe.scan();
        System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
      }
      return 0;
    }
    ReportPublisher publisher = publisher();
    Probe probe = new Probe(config);
    if (explain) {
      probe.explain().forEach(System.err::println);
    }
    ProbeLoop loop = new ProbeLoop(probe, publisher::publish);
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM/SIGINT: stop scanning first, then give queued reports a bounded time to go out.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        loop.close();
      } finally {
        publisher.close();
        stopped.countDown();
      }
    }, "chronoscope-probe-shutdown"));
    System.err.println("probe: host " + probe.hostId() + ", scanning every " + interval.toMillis()
        + " ms, publishing to " + destination(publisher));
    stopped.await();
    return 0;
  }

  private ReportPublisher publisher() {
    ReportWire wire;
    try {
      wire = ReportWire.named(reportFormat);
    } catch (IllegalArgumentException e) {
      throw usage("Invalid value for option '--report-format': " + e.getMessage());
    }
    if (collector != null) {
      URI base;
      try {
        base = new URI(collector.trim());
      } catch (URISyntaxException e) {
        throw usage("Invalid value for option '--collector': '" + collector + "' is not a URL ("
            + e.getReason() + "); write e.g. http://collector:4040");
      }
      try {
        HttpPublisher.endpoint(base);
      } catch (IllegalArgumentException e) {
        throw usage("Invalid value for option '--collector': '" + collector
            + "' is not an http(s) URL with a host; write e.g. http://collector:4040");
      }
      if (token == null || token.isBlank()) {
        throw usage("Missing ingest token for --collector: give --token TOKEN or set "
            + "CHRONOSCOPE_INGEST_TOKEN (the collector keeps it in <home>/ingest-token)");
      }
      return new HttpPublisher(base, token, HttpPublisher.DEFAULT_CAPACITY, Backoff.DEFAULT,
          HttpPublisher.DEFAULT_FLUSH_TIMEOUT, wire);
    }
    if (kafka != null && !kafka.isBlank()) {
      return new KafkaPublisher(kafka.trim(), topic, Map.of(), wire);
    }
    throw usage("Nowhere to publish: give --collector URL (with --token) or --kafka SERVERS, "
        + "or --once to print one report");
  }

  private static String destination(ReportPublisher publisher) {
    if (publisher instanceof HttpPublisher http) {
      return http.endpoint().toString();
    }
    KafkaPublisher k = (KafkaPublisher) publisher;
    return "Kafka topic " + k.topic() + " at " + k.config().get("bootstrap.servers");
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
