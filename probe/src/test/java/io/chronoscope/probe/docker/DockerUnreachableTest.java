package io.chronoscope.probe.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a daemon: the probe keeps going, says why, and leaves the report as it was. */
class DockerUnreachableTest {

  @Test
  void explainsWhyWhenTheSocketIsMissingAndLeavesReportsAlone() throws Exception {
    Path dir = Files.createTempDirectory("cs-no-docker");
    Path socket = dir.resolve("docker.sock");
    try (DockerMetadata docker = new DockerMetadata(socket)) {
      assertThat(docker.explain())
          .startsWith("docker: not reachable at " + socket + ": ")
          .contains("SocketException");
      assertThat(docker.containers()).isEmpty();

      ContainerInfo fromCgroup = new ContainerInfo("a".repeat(64), "docker", null, null, null,
          null, null, null, null, null, null, null, 12.5, 1L << 20);
      ProcessInfo process = new ProcessInfo(42, 1, 100, 0, "nc", "nc -l", "root", 0, 0);
      Report report = new Report("host", "probe", 1, 0, 1000, null, List.of(process), List.of(),
          List.of(fromCgroup), null);
      Report enriched = docker.enrich(report);
      assertThat(enriched.containers()).containsExactly(fromCgroup);
      assertThat(enriched.processes()).containsExactly(process);
    } finally {
      Files.deleteIfExists(dir);
    }
  }
}
