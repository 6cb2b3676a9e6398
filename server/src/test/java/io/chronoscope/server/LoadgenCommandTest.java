package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Usage errors are refused before anything is simulated or sent, naming the flag. */
class LoadgenCommandTest {
  private static final String[] TO_COLLECTOR = {"--collector", "http://localhost:1", "--token", "t0k3n-for-tests"};

  record Outcome(int code, String err) {}

  @Test
  void theCommandIsRegisteredBesideProbe() {
    CommandLine cli = new CommandLine(new Chronoscope());
    assertThat(cli.getSubcommands()).containsKeys("probe", "loadgen");
  }

  @Test
  void countsOutOfRangeNameTheirFlag() {
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--hosts", "-1")), "'--hosts'", "-1");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--hosts", "0")), "'--hosts'", "1..16384");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--containers", "-3")), "'--containers'", "-3");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--containers", "251")), "'--containers'", "0..250");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--connections", "-5")), "'--connections'", "-5");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--hosts", "1", "--containers", "1", "--connections", "1")),
        "'--connections'", "at least 2 containers");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--hosts", "lots")), "'--hosts'", "lots");
  }

  @Test
  void churnMustBeAPercentage() {
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--churn", "101")), "'--churn'", "101", "0..100");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--churn", "-0.5")), "'--churn'", "-0.5");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--churn", "NaN")), "'--churn'");
  }

  @Test
  void exactlyOneDestination() {
    assertUsage(run(Map.of()), "--collector", "--kafka");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--kafka", "broker:9092")), "--collector", "--kafka", "not both");
    assertUsage(run(Map.of(), "--kafka", " "), "'--kafka'", "blank");
    assertUsage(run(Map.of(), "--kafka", "broker:9092", "--topic", ""), "'--topic'", "blank");
  }

  @Test
  void theCollectorNeedsAnHttpUrlAndAToken() {
    assertUsage(run(Map.of(), "--collector", "collector:4040", "--token", "t0k3n-for-tests"),
        "'--collector'", "collector:4040");
    assertUsage(run(Map.of(), "--collector", "http://localhost:1"), "--token", "CHRONOSCOPE_INGEST_TOKEN");
    assertUsage(run(Map.of("CHRONOSCOPE_INGEST_TOKEN", " "), "--collector", "http://localhost:1"),
        "--token", "CHRONOSCOPE_INGEST_TOKEN");
  }

  @Test
  void stopConditionsAndIntervalAreChecked() {
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--ticks", "0")), "'--ticks'", "at least 1");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--ticks", "5", "--duration", "1m")), "--ticks", "--duration");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--interval", "0s")), "'--interval'", "positive");
    assertUsage(run(Map.of(), with(TO_COLLECTOR, "--duration", "soon")), "'--duration'", "soon");
  }

  private static void assertUsage(Outcome o, String... mentions) {
    assertThat(o.code()).as("exit code for: %s", o.err()).isEqualTo(2);
    assertThat(o.err()).contains(mentions).contains("Usage: loadgen");
  }

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static Outcome run(Map<String, String> env, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new LoadgenCommand(env));
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    int code = cli.execute(args);
    return new Outcome(code, err.toString());
  }
}
