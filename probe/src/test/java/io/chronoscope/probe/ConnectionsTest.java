package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.chronoscope.model.Connection;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real TCP connections between real processes, seen through both socket sources: sock_diag
 * (what the probe picks here) and the /proc/net/tcp fallback, forced.
 */
@Timeout(60)
class ConnectionsTest {
  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable resource : opened) {
      resource.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {SockDiagSource.NAME, ProcNetSource.NAME})
  void connectionBetweenTwoJvmsIsOwnedAtBothEnds(String source) {
    ChildJvm server = open(ChildJvm.start(LoopbackServer.class, "127.0.0.1"));
    int port = Integer.parseInt(server.nextLine().substring("port ".length()));
    ChildJvm client = open(ChildJvm.start(LoopbackClient.class, "127.0.0.1", "" + port));
    int clientPort = Integer.parseInt(client.nextLine().substring("connected ".length()));
    assertThat(server.nextLine()).isEqualTo("accepted");

    List<Connection> connections = scan(source).connections();

    assertThat(connections)
        .filteredOn(c -> !c.source().equals(ConntrackSource.NAME) && !c.source().equals(EbpfConnectionTracer.NAME))
        .allSatisfy(c -> { // eBPF and conntrack add connections closed anywhere on the host meanwhile
          assertThat(c.source()).isEqualTo(source);
          assertThat(c.protocol()).isIn("tcp", "udp"); // sock_diag lists connected UDP too
        });
    assertThat(connections).filteredOn(c -> c.state().equals("ESTABLISHED")
            && c.pid() != null && c.pid() == client.pid())
        .extracting(Connection::localAddress, Connection::localPort, Connection::remoteAddress,
            Connection::remotePort)
        .containsExactly(tuple("127.0.0.1", clientPort, "127.0.0.1", port));
    assertThat(connections).filteredOn(c -> c.state().equals("ESTABLISHED")
            && c.pid() != null && c.pid() == server.pid())
        .extracting(Connection::localPort, Connection::remotePort)
        .containsExactly(tuple(port, clientPort));
    assertThat(connections).filteredOn(c -> c.listening() && c.localPort() == port)
        .singleElement()
        .satisfies(listen -> {
          assertThat(listen.pid()).isEqualTo(server.pid());
          assertThat(listen.localAddress()).isEqualTo("127.0.0.1");
          assertThat(listen.remoteAddress()).isEqualTo("0.0.0.0");
          assertThat(listen.remotePort()).isZero();
          assertThat(listen.inode()).isPositive();
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {SockDiagSource.NAME, ProcNetSource.NAME})
  void closedConnectionLingersInTimeWaitWithoutOwner(String source) throws IOException {
    ServerSocket listener = open(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
    Socket accepted = listener.accept();
    int clientPort = client.getLocalPort();
    client.close(); // the active closer ends in TIME_WAIT once the peer closes too
    accepted.close();

    // eBPF off: with it on, the closed connection is eBPF's to report (EbpfConnectionTracerTest)
    // and TIME_WAIT sockets are left out of listings.
    List<Connection> connections = scan(source, false).connections();

    assertThat(connections)
        .filteredOn(c -> c.localPort() == clientPort && c.remotePort() == listener.getLocalPort())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.state()).isIn("TIME_WAIT", "FIN_WAIT2");
          if (c.state().equals("TIME_WAIT")) {
            assertThat(c.inode()).isZero();
            assertThat(c.pid()).isNull();
          }
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {SockDiagSource.NAME, ProcNetSource.NAME})
  void ipv6LoopbackIsReportedAsColonColonOne(String source) throws IOException {
    ServerSocket listener = open(new ServerSocket(0, 50, InetAddress.getByName("::1")));
    Socket client = open(new Socket("::1", listener.getLocalPort()));
    open(listener.accept());
    int port = listener.getLocalPort();

    List<Connection> connections = scan(source).connections();

    assertThat(connections).filteredOn(c -> c.localPort() == port && c.listening())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.localAddress()).isEqualTo("::1");
          assertThat(c.remoteAddress()).isEqualTo("::");
          assertThat(c.pid()).isEqualTo(OWN_PID);
        });
    assertThat(connections)
        .filteredOn(c -> c.localPort() == client.getLocalPort() && c.remotePort() == port)
        .singleElement()
        .satisfies(c -> {
          assertThat(c.state()).isEqualTo("ESTABLISHED");
          assertThat(c.localAddress()).isEqualTo("::1");
          assertThat(c.remoteAddress()).isEqualTo("::1");
          assertThat(c.pid()).isEqualTo(OWN_PID);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {SockDiagSource.NAME, ProcNetSource.NAME})
  void ipv4MappedIpv6IsReportedAsIpv4(String source) throws IOException {
    // A dual-stack listener on "::" accepts IPv4 peers on IPv6 sockets: ::ffff:127.0.0.1.
    ServerSocket listener = open(new ServerSocket(0, 50, InetAddress.getByName("::")));
    int port = listener.getLocalPort();
    open(new Socket("127.0.0.1", port));
    open(listener.accept());
    assertThat(Files.readString(Path.of("/proc/net/tcp6")))
        .as("the kernel holds the accepted socket as IPv6, so mapping is what is under test")
        .contains(String.format(Locale.ROOT, "0000000000000000FFFF00000100007F:%04X", port));

    List<Connection> connections = scan(source).connections();

    assertThat(connections).filteredOn(c -> c.localPort() == port && !c.listening())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.state()).isEqualTo("ESTABLISHED");
          assertThat(c.localAddress()).isEqualTo("127.0.0.1");
          assertThat(c.remoteAddress()).isEqualTo("127.0.0.1");
          assertThat(c.pid()).isEqualTo(OWN_PID);
        });
    assertThat(connections).filteredOn(c -> c.localPort() == port && c.listening())
        .singleElement()
        .satisfies(c -> assertThat(c.localAddress()).isEqualTo("::"));
    assertThat(connections)
        .flatExtracting(Connection::localAddress, Connection::remoteAddress)
        .noneMatch(a -> ((String) a).startsWith("::ffff:"));
  }

  private Report scan(String source) {
    return scan(source, true);
  }

  private Report scan(String source, boolean ebpf) {
    ProbeConfig config = ProbeConfig.defaults().withEbpf(ebpf);
    Function<ProbeConfig, Probe> factory = source.equals(ProcNetSource.NAME)
        ? c -> new Probe(c, new ProcNetSource(c.procRoot()))
        : Probe::new;
    try (Probe probe = factory.apply(config)) {
      assertThat(probe.explain().get(0)).contains(source.equals(ProcNetSource.NAME)
          ? "(procfs)" : "sock_diag via netlink");
      return probe.scan();
    }
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.add(0, resource);
    return resource;
  }
}
