package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chronoscope.model.Connection;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The eBPF tracer on the real kernel: a connection that opens and closes between two scans is in
 * the next report, once. Skipped, saying why, where eBPF cannot load; CI runs as root with
 * clang and libbpf installed, where it must load.
 */
@Timeout(60)
class EbpfConnectionTracerTest {
  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void connectionOpenedAndClosedBetweenScansIsInTheNextReportOnce(String address)
      throws Exception {
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      String line = ebpfLine(probe);
      assumeTrue(line.startsWith("ebpf: active"), () -> "eBPF unavailable here: " + line);
      Report before = probe.scan();

      int serverPort;
      int clientPort;
      try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName(address));
          Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
          Socket accepted = listener.accept()) {
        serverPort = listener.getLocalPort();
        clientPort = client.getLocalPort();
        exchange(client, accepted, 5); // client -> server
        exchange(accepted, client, 3); // server -> client
        // The server closes first (FIN), the client aborts (RST, no TIME_WAIT), so each
        // socket's CLOSE happens before it leaves the kernel's tables: awaitGone below then
        // proves both events are in the ring buffer, with no sleeping or timing.
        accepted.close();
        assertThat(client.getInputStream().read()).as("client sees the server's FIN").isEqualTo(-1);
        client.setSoLinger(true, 0);
      }
      awaitGone(clientPort, serverPort);

      Report next = probe.scan();
      Report after = probe.scan();

      List<Connection> traced = next.connections().stream()
          .filter(c -> c.source().equals(EbpfConnectionTracer.NAME)).toList();
      long netns = ownNetNamespace();
      assertThat(traced).filteredOn(c -> c.localPort() == clientPort && c.remotePort() == serverPort)
          .as("the connecting end").singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo("CLOSED");
            assertThat(c.localAddress()).isEqualTo(address);
            assertThat(c.remoteAddress()).isEqualTo(address);
            assertThat(c.pid()).as("owner seen at connect()").isEqualTo(OWN_PID);
            assertDataBytes(c.bytesSent(), 5);
            assertDataBytes(c.bytesReceived(), 3);
            assertThat(c.netNamespace()).isEqualTo(netns);
            assertLivedBetween(c, before, next);
          });
      assertThat(traced).filteredOn(c -> c.localPort() == serverPort && c.remotePort() == clientPort)
          .as("the accepted end").singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo("CLOSED");
            assertThat(c.pid()).as("owner seen at close()").isEqualTo(OWN_PID);
            assertDataBytes(c.bytesSent(), 3);
            assertDataBytes(c.bytesReceived(), 5);
            assertThat(c.netNamespace()).isEqualTo(netns);
            assertLivedBetween(c, before, next);
          });
      assertThat(after.connections())
          .as("a closed connection is reported once, not again in the following report")
          .noneMatch(c -> c.localPort() == clientPort || c.localPort() == serverPort);
    }
  }

  @Test
  void tcpStateChangesAreCountedPerNamespaceSoAQuietListingIsReused() throws Exception {
    EbpfConnectionTracer tracer;
    try {
      tracer = EbpfConnectionTracer.start();
    } catch (EbpfConnectionTracer.Unavailable e) {
      assumeTrue(false, () -> "eBPF unavailable here: " + e.getMessage());
      return;
    }
    long ownNamespace = NetNamespaces.inodeOf(Path.of("/proc/thread-self/ns/net"));
    long[] count = {0};
    try (tracer; SockDiagSource sockets = SockDiagSource.open();
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      long before = tracer.tcpChanges(ownNamespace);
      assertThat(before).as("a namespace gets a count").isNotNegative();
      // A pinned count: the listing is reused, however the sockets change meanwhile.
      List<Connection> first = sockets.tcp(inode -> null, ns -> count[0]);
      try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
          Socket accepted = listener.accept()) {
        assertThat(tracer.tcpChanges(ownNamespace))
            .as("connect and accept are state changes in this namespace")
            .isGreaterThan(before);
        List<Connection> reused = sockets.tcp(inode -> OWN_PID, ns -> count[0]);
        assertThat(reused).noneMatch(c -> c.localPort() == client.getLocalPort());
        assertThat(reused).filteredOn(c -> "tcp".equals(c.protocol()))
            .hasSize((int) first.stream().filter(c -> "tcp".equals(c.protocol())).count())
            .allSatisfy(c -> assertThat(c.pid()).as("owners are looked up afresh")
                .isIn(OWN_PID, null));

        count[0]++; // the count moved: listed again, the new connection with it
        List<Connection> listed = sockets.tcp(inode -> null, ns -> count[0]);
        assertThat(listed).anySatisfy(c -> {
          assertThat(c.localPort()).isEqualTo(client.getLocalPort());
          assertThat(c.state()).isEqualTo("ESTABLISHED");
          assertThat(c.bytesSent()).isNotNull();
        });
        assertThat(listed).as("TIME_WAIT is left out of a gated listing")
            .noneMatch(c -> "TIME_WAIT".equals(c.state()));
        // An unknown count (-1) always lists.
        client.setSoLinger(true, 0);
        client.close();
        assertThat(sockets.tcp(inode -> null, ns -> -1))
            .noneMatch(c -> c.localPort() == client.getLocalPort()
                && "ESTABLISHED".equals(c.state()));
      }
    }
  }

  @Test
  void explainSaysWhetherEbpfIsActiveAndWhyNot() {
    try (Probe probe = new Probe(ProbeConfig.defaults())) {
      String line = ebpfLine(probe);

      assertThat(line).matches("ebpf: active: tp_btf/inet_sock_set_state attached.*"
          + "|ebpf: not active: .+; using conntrack events and polling instead");
      boolean couldLoad = EbpfConnectionTracer.class.getResource(EbpfConnectionTracer.OBJECT)
          != null && Files.isReadable(EbpfConnectionTracer.KERNEL_BTF)
          && "root".equals(System.getProperty("user.name"));
      if (couldLoad) {
        assertThat(line).as("root, kernel BTF and the built object: eBPF must load")
            .startsWith("ebpf: active");
      }
    }
  }

  @Test
  void missingObjectIsExplainedAsNotBuilt() {
    assertThatThrownBy(() -> EbpfConnectionTracer.start("/bpf/absent.bpf.o"))
        .isInstanceOf(EbpfConnectionTracer.Unavailable.class)
        .hasMessageContaining("/bpf/absent.bpf.o is not in the probe jar")
        .hasMessageContaining("clang");
  }

  private static String ebpfLine(Probe probe) {
    return probe.explain().stream().filter(l -> l.startsWith("ebpf: ")).findFirst()
        .orElseThrow(() -> new AssertionError("no ebpf line in " + probe.explain()));
  }

  private static void exchange(Socket from, Socket to, int bytes) throws IOException {
    OutputStream out = from.getOutputStream();
    out.write(new byte[bytes]);
    out.flush();
    InputStream in = to.getInputStream();
    assertThat(in.readNBytes(bytes)).hasSize(bytes);
  }

  /** Waits until neither end of the connection is in the kernel's socket tables any more. */
  private static void awaitGone(int clientPort, int serverPort)
      throws IOException, InterruptedException {
    ProcNetSource sockets = new ProcNetSource(Path.of("/proc"));
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline && sockets.tcp(inode -> null).stream().anyMatch(c ->
        (c.localPort() == clientPort && c.remotePort() == serverPort)
            || (c.localPort() == serverPort && c.remotePort() == clientPort))) {
      Thread.sleep(10);
    }
  }

  /**
   * The kernel counts bytes_acked/bytes_received (like tcp_info) in sequence space, where SYN
   * and FIN take one each: the data, plus at most two.
   */
  private static void assertDataBytes(Long counted, int data) {
    assertThat(counted).isBetween((long) data, data + 2L);
  }

  /** Wall-clock times from the kernel's monotonic clock, within the scans (1 s for clock steps). */
  private static void assertLivedBetween(Connection c, Report before, Report next) {
    assertThat(c.openedAt()).isNotNull().isLessThanOrEqualTo(c.closedAt());
    assertThat(c.openedAt()).isGreaterThanOrEqualTo(before.timestamp() - 1000);
    assertThat(c.closedAt()).isLessThanOrEqualTo(next.timestamp() + 1000);
  }

  private static long ownNetNamespace() throws IOException {
    String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[N]
    return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
  }
}
