package io.chronoscope.probe.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.chronoscope.model.ContainerInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 and event-stream handling against a stand-in daemon on a real unix socket, for
 * what the real dockerd does not do on demand: answers split into odd chunks, events split
 * across chunks, and a daemon that goes away and comes back.
 */
class DockerProtocolTest {
  private static final String ID = "0123456789abcdef".repeat(4);

  private Path dir;
  private Path socket;
  private final Map<String, String> inspectNames = new ConcurrentHashMap<>();
  private final BlockingQueue<SocketChannel> eventStreams = new LinkedBlockingQueue<>();
  private volatile boolean running = true;
  private ServerSocketChannel server;

  @BeforeEach
  void startDaemon() throws IOException {
    dir = Files.createTempDirectory("cs-fake-docker");
    socket = dir.resolve("docker.sock");
    listen();
  }

  @AfterEach
  void stop() throws IOException {
    running = false;
    server.close();
    for (SocketChannel c : eventStreams) {
      c.close();
    }
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }

  @Test
  void readsChunkedAnswersFollowsEventsSplitAcrossChunksAndReconnectsAfterARestart()
      throws Exception {
    inspectNames.put(ID, "/web");
    try (DockerMetadata docker = new DockerMetadata(socket)) {
      awaitContainers(docker, m -> m.containsKey(ID), "the listed container");
      ContainerInfo web = docker.containers().get(ID);
      assertThat(web.name()).isEqualTo("web");
      assertThat(web.image()).isEqualTo("shop/web:2");
      assertThat(web.ips()).containsExactly("172.17.0.9");
      assertThat(web.ports()).containsExactly(
          new ContainerInfo.PortMapping("tcp", "0.0.0.0", 8081, 80));
      assertThat(web.labels()).containsEntry("io.kubernetes.pod.namespace", "shop");
      assertThat(web.podNamespace()).isEqualTo("shop");
      assertThat(web.pid()).isEqualTo(4242);
      assertThat(docker.explain()).startsWith("docker: metadata from the Docker Engine API at "
          + socket);

      // A rename event whose JSON is cut in the middle, across two chunks.
      inspectNames.put(ID, "/web-renamed");
      SocketChannel events = eventStreams.take();
      String event = "{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" + ID
          + "\"}}\n";
      write(events, chunk(event.substring(0, 20)) + chunk(event.substring(20)));
      awaitContainers(docker, m -> m.containsKey(ID) && m.get(ID).name().equals("web-renamed"),
          "the renamed container");

      // The daemon goes away: the probe says so and forgets what it knew.
      server.close();
      Files.delete(socket);
      events.close();
      awaitContainers(docker, Map::isEmpty, "no containers while the daemon is down");
      assertThat(docker.explain()).startsWith("docker: not reachable at " + socket);

      // It comes back, with the container removed meanwhile: the re-list shows that.
      inspectNames.clear();
      listen();
      awaitExplain(docker, "docker: metadata from the Docker Engine API");
      assertThat(docker.containers()).isEmpty();
    }
  }

  private void listen() throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(socket));
    server = s;
    Thread acceptor = new Thread(() -> {
      while (running && s.isOpen()) {
        try {
          SocketChannel c = s.accept();
          Thread t = new Thread(() -> serve(c), "fake-docker-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "fake-docker-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve(SocketChannel c) {
    try {
      InputStream in = Channels.newInputStream(c);
      String requestLine = DockerClient.line(in);
      while (!DockerClient.line(in).isEmpty()) {
        // headers: nothing to check
      }
      String target = requestLine.split(" ")[1];
      if (target.startsWith("/v1.41/events?")) {
        assertThat(target).contains("filters=");
        write(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n");
        eventStreams.add(c); // the test writes events and closes it
        return;
      }
      if (target.equals("/v1.41/containers/json?all=false")) {
        String body = inspectNames.isEmpty() ? "[]" : "[{\"Id\":\"" + ID + "\"}]";
        write(c, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      } else if (target.equals("/v1.41/containers/" + ID + "/json")
          && inspectNames.containsKey(ID)) {
        String body = "{\"Id\":\"" + ID + "\",\"Name\":\"" + inspectNames.get(ID) + "\","
            + "\"Config\":{\"Image\":\"shop/web:2\",\"Labels\":{\"io.kubernetes.pod.namespace\":"
            + "\"shop\"}},\"State\":{\"Status\":\"running\",\"Pid\":4242},"
            + "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\","
            + "\"HostPort\":\"8081\"}],\"443/tcp\":null},"
            + "\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.9\"}}}}";
        StringBuilder chunks = new StringBuilder();
        for (int i = 0; i < body.length(); i += 7) { // odd sizes cut tokens in half
          chunks.append(chunk(body.substring(i, Math.min(body.length(), i + 7))));
        }
        write(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
            + "0\r\n\r\n");
      } else {
        String body = "{\"message\":\"No such container\"}";
        write(c, "HTTP/1.1 404 Not Found\r\nContent-Length: " + body.length() + "\r\n\r\n"
            + body);
      }
      c.close();
    } catch (IOException e) {
      // the client went away; nothing to serve
    }
  }

  private static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data
        + "\r\n";
  }

  private static void write(SocketChannel c, String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      c.write(buf);
    }
  }

  private static void awaitContainers(DockerMetadata docker,
      Predicate<Map<String, ContainerInfo>> done, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!done.test(docker.containers())) {
      if (System.currentTimeMillis() > deadline) {
        fail("never saw " + what + "; docker says: " + docker.explain() + "; containers: "
            + docker.containers());
      }
      Thread.sleep(20);
    }
  }

  private static void awaitExplain(DockerMetadata docker, String prefix)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!docker.explain().startsWith(prefix)) {
      if (System.currentTimeMillis() > deadline) {
        fail("docker never said '" + prefix + "...'; it says: " + docker.explain());
      }
      Thread.sleep(20);
    }
  }
}
