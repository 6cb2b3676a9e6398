package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad flags are refused with exit code 2 and the flag named, before anything is sent. */
class AnnotateCommandTest {
  private static final String[] OK = {"--server", "http://localhost:1", "--token", "t", "--service", "api",
      "--version", "1.0"};

  record Outcome(int code, String err) {}

  private static Outcome run(Map<String, String> env, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AnnotateCommand(env));
    cli.setErr(new PrintWriter(err));
    return new Outcome(cli.execute(args), err.toString());
  }

  private static String[] with(String... extra) {
    String[] all = new String[OK.length + extra.length];
    System.arraycopy(OK, 0, all, 0, OK.length);
    System.arraycopy(extra, 0, all, OK.length, extra.length);
    return all;
  }

  private static void assertUsage(Outcome o, String... mentions) {
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(mentions);
  }

  @Test
  void registeredAsASubcommand() {
    assertThat(new CommandLine(new Chronoscope()).getSubcommands()).containsKey("annotate");
  }

  @Test
  void serviceAndVersionAreRequired() {
    assertUsage(run(Map.of(), "--server", "http://localhost:1", "--token", "t", "--version", "1"), "--service");
    assertUsage(run(Map.of(), "--server", "http://localhost:1", "--token", "t", "--service", "a"), "--version");
    assertUsage(run(Map.of(), "--server", "http://localhost:1", "--token", "t", "--service", " ", "--version", "1"),
        "'--service'", "blank");
  }

  @Test
  void badValuesNameTheirFlag() {
    assertUsage(run(Map.of(), with("--commit", "not-a-sha")), "'--commit'", "not-a-sha");
    assertUsage(run(Map.of(), with("--url", "ci/run/1")), "'--url'", "ci/run/1");
    assertUsage(run(Map.of(), with("--phase", "done")), "'--phase'", "done");
    assertUsage(run(Map.of(), "--server", "chronoscope:4040", "--token", "t", "--service", "a", "--version", "1"),
        "'--server'", "chronoscope:4040");
  }

  @Test
  void theTokenComesFromTheFlagOrTheEnvironment() {
    assertUsage(run(Map.of(), "--server", "http://localhost:1", "--service", "a", "--version", "1"),
        "--token", "CHRONOSCOPE_TOKEN");
    // With the token from the environment the flags are fine; nothing listens on port 1.
    assertThat(run(Map.of("CHRONOSCOPE_TOKEN", "t"), "--server", "http://localhost:1", "--service", "a",
        "--version", "1").code()).isEqualTo(1);
  }
}
