package io.chronoscope.server;

import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the probe alone. {@code --once} prints one report as JSON and exits. */
@Command(name = "probe", mixinStandardHelpOptions = true,
    description = "Scan this host. With --once, print one report as JSON on stdout and exit.")
final class ProbeCommand implements Callable<Integer> {

  @Option(names = "--once", description = "Print one report as JSON and exit.")
  boolean once;

  @Option(names = "--explain", description = "With --once: print which sources are active and why, on stderr.")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    if (!once) {
      System.err.println("probe: only --once is available in this version; "
          + "run 'java -jar chronoscope.jar' for the probe with collector and UI");
      return 2;
    }
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      if (explain) {
        probe.explain().forEach(System.err::println);
      }
      Report report = probe.scan();
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }
    return 0;
  }
}
