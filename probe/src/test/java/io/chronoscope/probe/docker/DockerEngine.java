package io.chronoscope.probe.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real Docker engine for tests, driven through the docker CLI: checks it is reachable (else
 * skips the test with the reason), builds the test image from Debian's busybox-static without
 * any registry, runs and removes containers.
 */
final class DockerEngine {
  static final String IMAGE = "chronoscope-test/busybox:1";
  static final Path BUSYBOX = Path.of("/bin/busybox");
  private static final List<String> APPLETS = List.of("sh", "nc", "cat", "sleep", "httpd", "ls",
      "ps", "ip");

  private DockerEngine() {}

  /** Skips the calling test unless dockerd answers on its socket and the CLI works. */
  static void assumeReachable() {
    Path socket = DockerMetadata.socketFromEnvironment();
    String why = unreachableBecause(socket);
    assumeTrue(why == null, () -> "needs a running dockerd at " + socket
        + " (.ci/run starts one; apt-get install docker.io): " + why);
    assumeTrue(exitCode("docker", "version") == 0, "needs the docker CLI on PATH");
  }

  /** Null when dockerd answers GET /version on {@code socket}, else why not. */
  static String unreachableBecause(Path socket) {
    try {
      new DockerClient(socket).get("/version");
      return null;
    } catch (IOException | RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** Imports the busybox image unless it is there already. */
  static void ensureImage() throws IOException {
    if (exitCode("docker", "image", "inspect", IMAGE) == 0) {
      return;
    }
    assumeTrue(Files.isExecutable(BUSYBOX),
        "needs Debian's busybox-static at " + BUSYBOX + " (apt-get install busybox-static)");
    Path rootfs = Files.createTempDirectory("cs-busybox-rootfs");
    try {
      Files.createDirectories(rootfs.resolve("bin"));
      Files.createDirectories(rootfs.resolve("tmp"));
      Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
      for (String applet : APPLETS) {
        Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
      }
      run("bash", "-c", "tar -C '" + rootfs + "' -c . | docker import --change 'CMD [\"/bin/sh\"]'"
          + " - " + IMAGE);
    } finally {
      try (Stream<Path> all = Files.walk(rootfs)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** docker run -d ARGS...; returns the full container id. */
  static String runDetached(String... args) throws IOException {
    // --pull never: tests must not reach a registry, whatever the image name.
    List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--pull", "never"));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new)).strip();
  }

  static String inspect(String container, String format) throws IOException {
    return run("docker", "inspect", "-f", format, container).strip();
  }

  static void removeQuietly(String... names) {
    for (String name : names) {
      exitCode("docker", "rm", "-f", name);
    }
  }

  /** Runs a command, returns stdout; fails with its output when it exits non-zero. */
  static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  static int exitCode(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
