package io.chronoscope.probe.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ContainerInfo.PortMapping;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.probe.Probe;
import io.chronoscope.probe.ProbeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the real Docker engine: a server container listening on 8080 and published on
 * 127.0.0.1, and a client container holding a connection to the server's container IP. The
 * report must name both containers as {@code docker ps} does, and put their processes and their
 * connection in them.
 */
class DockerContainersTest {
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  private static final String SERVER = "cs-server-" + SUFFIX;
  private static final String CLIENT = "cs-client-" + SUFFIX;
  /** A bound is needed only so a broken probe fails instead of hanging the build. */
  private static final long CONVERGE_DEADLINE_MS = 60_000;

  private static String serverId;
  private static String clientId;
  private static String serverIp;
  private static int hostPort;
  private static Probe probe;

  @BeforeAll
  static void startContainers() throws IOException {
    DockerEngine.assumeReachable();
    DockerEngine.ensureImage();
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      hostPort = free.getLocalPort();
    }
    try {
      // Busybox nc: -ll keeps listening after each connection, -e cat echoes.
      serverId = DockerEngine.runDetached("--name", SERVER, "-p", "127.0.0.1:" + hostPort + ":8080",
          DockerEngine.IMAGE, "nc", "-ll", "-p", "8080", "-e", "/bin/cat");
      serverIp = DockerEngine.inspect(SERVER, "{{.NetworkSettings.IPAddress}}");
      assertThat(serverIp).as("server container IP on the default bridge").isNotBlank();
      clientId = DockerEngine.runDetached("--name", CLIENT, DockerEngine.IMAGE, "sh", "-c",
          "while true; do echo tick; sleep 1; done | nc " + serverIp + " 8080");
    } catch (IOException | RuntimeException | AssertionError e) {
      DockerEngine.removeQuietly(SERVER, CLIENT);
      throw e;
    }
    probe = new Probe(new ProbeConfig(null, "docker-test", 1000, null));
  }

  @AfterAll
  static void removeContainers() {
    if (probe != null) {
      probe.close();
    }
    DockerEngine.removeQuietly(SERVER, CLIENT);
  }

  @Test
  void reportsContainersWithNamesImagesStatesIpsAndPublishedPorts() {
    Report report = scanUntil(r -> container(r, serverId).isPresent()
        && container(r, clientId).isPresent(), "both containers in the report");

    ContainerInfo server = container(report, serverId).orElseThrow();
    assertThat(server.runtime()).isEqualTo("docker");
    assertThat(server.name()).isEqualTo(SERVER);
    assertThat(server.image()).isEqualTo(DockerEngine.IMAGE);
    assertThat(server.state()).isEqualTo("running");
    assertThat(server.ips()).containsExactly(serverIp);
    assertThat(server.ports()).containsExactly(new PortMapping("tcp", "127.0.0.1", hostPort, 8080));
    assertThat(server.pid()).isPositive();

    ContainerInfo client = container(report, clientId).orElseThrow();
    assertThat(client.name()).isEqualTo(CLIENT);
    assertThat(client.image()).isEqualTo(DockerEngine.IMAGE);
    assertThat(client.state()).isEqualTo("running");
    assertThat(client.ips()).hasSize(1).doesNotContain(serverIp);
    assertThat(client.ports()).isEmpty();
    assertThat(probe.explain()).anyMatch(l -> l.startsWith("docker: metadata from the Docker"
        + " Engine API"));
  }

  @Test
  void processesInsideContainersCarryTheirContainerId() throws IOException {
    int serverInit = Integer.parseInt(DockerEngine.inspect(SERVER, "{{.State.Pid}}"));
    int clientInit = Integer.parseInt(DockerEngine.inspect(CLIENT, "{{.State.Pid}}"));
    Report report = scanUntil(r -> r.processes().stream()
        .anyMatch(p -> clientId.equals(p.containerId()) && p.comm().equals("nc")),
        "the client's nc process attributed to its container");

    Map<Integer, ProcessInfo> byPid = report.processes().stream()
        .collect(Collectors.toMap(ProcessInfo::pid, Function.identity(), (a, b) -> a));
    assertThat(byPid.get(serverInit).containerId()).isEqualTo(serverId);
    assertThat(byPid.get(serverInit).comm()).isEqualTo("nc");
    assertThat(byPid.get(clientInit).containerId()).isEqualTo(clientId);
    assertThat(byPid.get(clientInit).comm()).isEqualTo("sh");
    // The client's pipeline: its nc is a child of the container's sh, not the init itself.
    assertThat(report.processes()).filteredOn(p -> p.comm().equals("nc")
            && p.cmdline().contains(serverIp))
        .singleElement().satisfies(nc -> {
          assertThat(nc.pid()).isNotEqualTo(clientInit);
          assertThat(nc.containerId()).isEqualTo(clientId);
        });
    // This JVM is on the host, in no container.
    assertThat(byPid.get((int) ProcessHandle.current().pid()).containerId()).isNull();
  }

  /**
   * Needs sockets from every network namespace (container sockets live in the containers'
   * namespaces, not the host's); skips until the probe scans them.
   */
  @Test
  void connectionBetweenContainersIsAttributedToBothContainers() throws IOException {
    long hostNetNs = netNamespace(Path.of("/proc/self/ns/net"));
    Report first = probe.scan();
    assumeTrue(first.connections().stream()
            .anyMatch(c -> c.netNamespace() != null && c.netNamespace() != hostNetNs),
        "needs per-namespace socket scanning: no connection outside the host's network"
            + " namespace is in the report");
    String clientIp = DockerEngine.inspect(CLIENT, "{{.NetworkSettings.IPAddress}}");
    Report report = scanUntil(r -> r.connections().stream().anyMatch(c ->
            c.localAddress().equals(clientIp) && c.remoteAddress().equals(serverIp)
                && c.remotePort() == 8080 && c.pid() != null),
        "the client's connection to the server container with its pid");

    Map<Integer, ProcessInfo> byPid = report.processes().stream()
        .collect(Collectors.toMap(ProcessInfo::pid, Function.identity(), (a, b) -> a));
    Connection out = report.connections().stream()
        .filter(c -> c.localAddress().equals(clientIp) && c.remoteAddress().equals(serverIp)
            && c.remotePort() == 8080 && c.pid() != null)
        .findFirst().orElseThrow();
    assertThat(byPid.get(out.pid()).containerId()).isEqualTo(clientId);
    assertThat(out.state()).isEqualTo("ESTABLISHED");

    Connection in = report.connections().stream()
        .filter(c -> c.localAddress().equals(serverIp) && c.localPort() == 8080
            && c.remoteAddress().equals(clientIp) && c.remotePort() == out.localPort())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server side of " + out + " in "
            + report.connections()));
    assertThat(in.pid()).as("owner of the server side " + in).isNotNull();
    assertThat(byPid.get(in.pid()).containerId()).isEqualTo(serverId);
  }

  /**
   * Docker's {@code -p} on every address: a connection from this host to its own bridge address
   * is rewritten by Docker's DNAT rule to the container. The report's NAT flow must map the
   * published address to the container's real address, so the collector can draw the edge to
   * the container instead of to the host.
   */
  @Test
  void publishedPortIsMappedToTheContainerThroughDockersDnat() throws Exception {
    String published = "cs-published-" + SUFFIX;
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try {
      String id = DockerEngine.runDetached("--name", published, "-p", port + ":8080",
          DockerEngine.IMAGE, "nc", "-ll", "-p", "8080", "-e", "/bin/cat");
      String containerIp = DockerEngine.inspect(published, "{{.NetworkSettings.IPAddress}}");
      String gateway = DockerEngine.inspect(published, "{{.NetworkSettings.Gateway}}");
      try (java.net.Socket client = connectWhenListening(gateway, port)) {
        client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.getInputStream().read()).as("the container echoes").isEqualTo('h');
        int clientPort = client.getLocalPort();
        Report report = scanUntil(r -> r.nat() != null && r.nat().stream().anyMatch(f ->
                f.original().srcPort() == clientPort && f.original().dstPort() == port),
            "a NAT flow for the connection to the published port");
        assertThat(report.nat()).filteredOn(f -> f.original().srcPort() == clientPort
                && f.original().dstPort() == port)
            .singleElement()
            .satisfies(flow -> {
              assertThat(flow.original().dstAddress()).isEqualTo(gateway);
              assertThat(flow.reply().srcAddress()).as("the real backend").isEqualTo(containerIp);
              assertThat(flow.reply().srcPort()).isEqualTo(8080);
              assertThat(flow.isDestinationNat()).isTrue();
            });
        assertThat(report.connections()).as("the host's side, as the socket sees it")
            .anySatisfy(c -> {
              assertThat(c.localPort()).isEqualTo(clientPort);
              assertThat(c.remoteAddress()).isEqualTo(gateway);
              assertThat(c.remotePort()).isEqualTo(port);
              assertThat(c.pid()).isEqualTo((int) ProcessHandle.current().pid());
            });
        assertThat(report.connections()).as("the container's side, in its namespace")
            .anySatisfy(c -> {
              assertThat(c.localAddress()).isEqualTo(containerIp);
              assertThat(c.localPort()).isEqualTo(8080);
              assertThat(c.state()).isEqualTo("ESTABLISHED");
            });
        assertThat(container(report, id)).isPresent();
      }
    } finally {
      DockerEngine.removeQuietly(published);
    }
  }

  /** nc in the container starts listening a moment after docker run returns. */
  private static java.net.Socket connectWhenListening(String host, int port) throws Exception {
    long deadline = System.currentTimeMillis() + CONVERGE_DEADLINE_MS;
    while (true) {
      java.net.Socket socket = new java.net.Socket();
      try {
        socket.connect(new java.net.InetSocketAddress(host, port), 2000);
        socket.setSoTimeout(10_000);
        // Until nc listens, Docker's DNAT target refuses: a reset shows as a failed read.
        return socket;
      } catch (java.io.IOException notYet) {
        socket.close();
        if (System.currentTimeMillis() > deadline) {
          throw notYet;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void followsRenameAndRemovalThroughTheEventStream() throws IOException {
    String name = "cs-rename-" + SUFFIX;
    String renamed = name + "-renamed";
    try {
      String id = DockerEngine.runDetached("--name", name, "--label", "io.kubernetes.pod.uid=uid-1",
          "--label", "io.kubernetes.pod.name=web-0", "--label", "io.kubernetes.pod.namespace=shop",
          DockerEngine.IMAGE, "sleep", "100000");
      Report seen = scanUntil(r -> container(r, id).isPresent(), "the new container");
      ContainerInfo c = container(seen, id).orElseThrow();
      assertThat(c.name()).isEqualTo(name);
      assertThat(c.podUid()).isEqualTo("uid-1");
      assertThat(c.podName()).isEqualTo("web-0");
      assertThat(c.podNamespace()).isEqualTo("shop");
      assertThat(c.labels()).containsEntry("io.kubernetes.pod.name", "web-0");

      DockerEngine.run("docker", "rename", name, renamed);
      scanUntil(r -> container(r, id).map(x -> x.name().equals(renamed)).orElse(false),
          "the container under its new name " + renamed);

      DockerEngine.run("docker", "rm", "-f", renamed);
      Report gone = scanUntil(r -> container(r, id).isEmpty(), "the removed container gone");
      // Its processes may still appear once, as exited since the last scan (proc connector).
      assertThat(gone.processes()).noneMatch(p -> id.equals(p.containerId()) && p.exitedAt() == null);
    } finally {
      DockerEngine.removeQuietly(name, renamed);
    }
  }

  private static Optional<ContainerInfo> container(Report report, String id) {
    return report.containers().stream().filter(c -> c.id().equals(id)).findFirst();
  }

  /** Scans until {@code done} holds; Docker's events reach the probe asynchronously. */
  private static Report scanUntil(Predicate<Report> done, String what) {
    long deadline = System.currentTimeMillis() + CONVERGE_DEADLINE_MS;
    Report report = probe.scan();
    while (!done.test(report)) {
      if (System.currentTimeMillis() > deadline) {
        fail("never saw " + what + " within " + CONVERGE_DEADLINE_MS + " ms; probe says "
            + probe.explain() + "; last containers: " + report.containers());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for " + what);
      }
      report = probe.scan();
    }
    return report;
  }

  private static long netNamespace(Path link) throws IOException {
    String target = Files.readSymbolicLink(link).toString(); // net:[4026531840]
    return Long.parseLong(target.substring(target.indexOf('[') + 1, target.indexOf(']')));
  }
}
