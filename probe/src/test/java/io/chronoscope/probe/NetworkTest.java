package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Connection;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.Report;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3's network picture on the real kernel: sockets of other network namespaces, tcp_info,
 * connected UDP, conntrack NAT and short-lived flows. Namespaces, veth links and iptables rules
 * are made by the tests and removed afterwards.
 */
@Timeout(120)
class NetworkTest {
  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  @Test
  void connectionInsideAnotherNamespaceIsReportedWithItsInodeAndPids() {
    NetNamespaceFixture.assumeAvailable();
    try (NetNamespaceFixture ns = new NetNamespaceFixture()) {
      NetNamespaceFixture.Child server = ns.start(LoopbackServer.class, "127.0.0.1");
      int port = Integer.parseInt(server.nextLine().substring("port ".length()));
      NetNamespaceFixture.Child client = ns.start(LoopbackClient.class, "127.0.0.1", "" + port);
      int clientPort = Integer.parseInt(client.nextLine().substring("connected ".length()));
      assertThat(server.nextLine()).isEqualTo("accepted");

      Report report;
      long host;
      try (Probe probe = new Probe(ProbeConfig.defaults())) {
        report = probe.scan();
        host = NetNamespaces.inodeOf(java.nio.file.Path.of("/proc/self/ns/net"));
        assertThat(probe.explain()).anyMatch(line -> line.startsWith("network namespaces: "));
      }

      long inode = ns.inode();
      assertThat(inode).isNotEqualTo(host);
      List<Connection> inside = report.connections().stream()
          .filter(c -> c.netNamespace() != null && c.netNamespace() == inode).toList();
      assertThat(inside).filteredOn(c -> c.listening() && c.localPort() == port).singleElement()
          .satisfies(c -> assertThat(c.pid()).isEqualTo(server.pid()));
      assertThat(inside).filteredOn(c -> "ESTABLISHED".equals(c.state())
              && c.localPort() == clientPort && c.remotePort() == port).singleElement()
          .satisfies(c -> assertThat(c.pid()).isEqualTo(client.pid()));
      assertThat(inside).filteredOn(c -> "ESTABLISHED".equals(c.state())
              && c.localPort() == port && c.remotePort() == clientPort).singleElement()
          .satisfies(c -> assertThat(c.pid()).isEqualTo(server.pid()));
      assertThat(report.connections()).filteredOn(c -> c.pid() != null && c.pid() == OWN_PID)
          .allSatisfy(c -> assertThat(c.netNamespace()).isEqualTo(host));
    }
  }

  @Test
  void dnatFlowCarriesOriginalAndReplyTuplesAndShortLivedFlowIsReportedOnce() throws Exception {
    NetNamespaceFixture.assumeAvailable();
    int x = ThreadLocalRandom.current().nextInt(200, 250);
    int y = ThreadLocalRandom.current().nextInt(1, 250);
    String prefix = "10." + x + "." + y + ".";
    String service = prefix + "100";
    try (NetNamespaceFixture ns = new NetNamespaceFixture()) {
      ns.veth(prefix + "1", prefix + "2");
      NetNamespaceFixture.Child server = ns.start(LoopbackServer.class, "0.0.0.0");
      int port = Integer.parseInt(server.nextLine().substring("port ".length()));
      // The nat table makes the kernel track every flow of the host namespace.
      ns.iptables("nat", "OUTPUT", "-d", service, "-p", "tcp", "--dport", "8080", "-j", "DNAT",
          "--to-destination", prefix + "2:" + port);

      // eBPF off: with it on, eBPF (not conntrack) reports short-lived flows, tested elsewhere.
      try (Socket client = new Socket(service, 8080);
          Probe probe = new Probe(ProbeConfig.defaults().withEbpf(false))) {
        assertThat(server.nextLine()).isEqualTo("accepted");
        assertThat(probe.explain()).anyMatch(line -> line.startsWith("conntrack via ctnetlink"));
        Report report = probe.scan();

        assertThat(report.nat()).filteredOn(f -> f.original().srcPort() == client.getLocalPort()
                && f.original().dstAddress().equals(service))
            .singleElement()
            .satisfies(flow -> {
              assertThat(flow.protocol()).isEqualTo("tcp");
              assertThat(flow.original().dstPort()).isEqualTo(8080);
              assertThat(flow.reply().srcAddress()).isEqualTo(prefix + "2");
              assertThat(flow.reply().srcPort()).isEqualTo(port);
              assertThat(flow.isDestinationNat()).isTrue();
              assertThat(flow.state()).isEqualTo("ESTABLISHED");
            });
        assertThat(report.connections()).filteredOn(c -> c.localPort() == client.getLocalPort()
                && c.remotePort() == 8080).singleElement()
            .satisfies(c -> {
              assertThat(c.remoteAddress()).isEqualTo(service);
              assertThat(c.pid()).isEqualTo(OWN_PID);
            });
        assertThat(report.connections()).filteredOn(c -> c.localPort() == port
                && "ESTABLISHED".equals(c.state())).singleElement()
            .satisfies(c -> {
              assertThat(c.netNamespace()).isEqualTo(ns.inode());
              assertThat(c.pid()).isEqualTo(server.pid());
              assertThat(c.localAddress()).isEqualTo(prefix + "2");
              assertThat(c.remoteAddress()).isEqualTo(prefix + "1");
            });

        // A loopback connection opened and reset between two scans leaves no socket behind:
        // only conntrack knows it existed.
        int shortPort;
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
          Socket shortLived = new Socket(listener.getInetAddress(), listener.getLocalPort());
          Socket accepted = listener.accept();
          shortPort = shortLived.getLocalPort();
          shortLived.setSoLinger(true, 0); // RST: no TIME_WAIT socket for a scan to find
          shortLived.close();
          accepted.close();
        }
        List<Connection> found = List.of();
        // The DESTROY event arrives asynchronously. A deadline, not @Timeout, bounds the wait:
        // @Timeout only interrupts, which this loop would never notice.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (found.isEmpty() && System.nanoTime() < deadline) {
          found = probe.scan().connections().stream()
              .filter(c -> c.source().equals(ConntrackSource.NAME) && c.localPort() == shortPort)
              .toList();
        }
        assertThat(found).singleElement().satisfies(c -> {
          assertThat(c.protocol()).isEqualTo("tcp");
          assertThat(c.localAddress()).isEqualTo("127.0.0.1");
          assertThat(c.openedAt()).isNotNull();
          assertThat(c.closedAt()).isNotNull().isGreaterThanOrEqualTo(c.openedAt());
        });
        assertThat(probe.scan().connections())
            .as("a short-lived flow is reported once")
            .noneMatch(c -> c.source().equals(ConntrackSource.NAME) && c.localPort() == shortPort);
      }
    }
  }

  @Test
  void tcpInfoCountsBytesAndRtt() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket sender = new Socket(listener.getInetAddress(), listener.getLocalPort());
        Socket receiver = listener.accept()) {
      byte[] data = new byte[100 * 1024];
      OutputStream out = sender.getOutputStream();
      out.write(data);
      out.flush();
      InputStream in = receiver.getInputStream();
      int total = 0;
      byte[] buffer = new byte[16 * 1024];
      while (total < data.length) {
        total += in.read(buffer);
      }
      // The receiver answers, so the sender's bytes are acked and it has an RTT sample.
      receiver.getOutputStream().write(1);
      sender.getInputStream().read();

      Report report;
      try (Probe probe = new Probe(ProbeConfig.defaults())) {
        report = probe.scan();
      }

      assertThat(report.connections())
          .filteredOn(c -> c.localPort() == sender.getLocalPort()
              && c.remotePort() == listener.getLocalPort() && c.protocol().equals("tcp"))
          .singleElement()
          .satisfies(c -> {
            assertThat(c.bytesSent()).isGreaterThanOrEqualTo(100L * 1024);
            assertThat(c.bytesReceived()).isEqualTo(1L);
            assertThat(c.rttMicros()).isPositive();
            assertThat(c.retransmits()).isZero();
          });
      assertThat(report.connections())
          .filteredOn(c -> c.localPort() == receiver.getLocalPort()
              && c.remotePort() == sender.getLocalPort())
          .singleElement()
          .satisfies(c -> assertThat(c.bytesReceived()).isGreaterThanOrEqualTo(100L * 1024));
    }
  }

  @Test
  void connectedUdpSocketIsReportedAndUnconnectedIsNot() throws Exception {
    try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      client.connect(new InetSocketAddress(server.getLocalAddress(), server.getLocalPort()));

      Report report;
      try (Probe probe = new Probe(ProbeConfig.defaults())) {
        report = probe.scan();
      }

      assertThat(report.connections())
          .filteredOn(c -> c.protocol().equals("udp") && c.localPort() == client.getLocalPort())
          .singleElement()
          .satisfies(c -> {
            assertThat(c.remoteAddress()).isEqualTo("127.0.0.1");
            assertThat(c.remotePort()).isEqualTo(server.getLocalPort());
            assertThat(c.state()).isEqualTo("ESTABLISHED");
            assertThat(c.pid()).isEqualTo(OWN_PID);
            assertThat(c.netNamespace()).isNotNull();
          });
      assertThat(report.connections())
          .noneMatch(c -> c.protocol().equals("udp") && c.localPort() == server.getLocalPort());
    }
  }
}
