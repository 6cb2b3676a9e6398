package io.chronoscope.server.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulatedWorldTest {
  private static final long START = 1_790_000_000_000L;
  private static final long INTERVAL = 1000;

  @Test
  void reportsHoldAsManyHostsContainersAndConnectionsAsAsked() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(4, 7, 50, 10, 1), START, INTERVAL);
    for (int t = 0; t < 6; t++) {
      List<Report> reports = world.reports();
      assertThat(reports).hasSize(4);
      assertThat(reports.stream().map(Report::hostId).distinct()).hasSize(4);
      assertThat(reports.stream().map(r -> r.host().hostname()).distinct()).hasSize(4);
      for (Report r : reports) {
        assertThat(r.containers()).as("containers of %s at tick %d", r.host().hostname(), t).hasSize(7);
        assertThat(r.seq()).isEqualTo(t + 1);
        assertThat(r.timestamp()).isEqualTo(START + t * INTERVAL);
        assertThat(r.intervalMs()).isEqualTo(INTERVAL);
      }
      assertThat(clientEnds(reports)).as("client ends at tick %d", t).hasSize(50);
      assertThat(serverEnds(reports)).as("server ends at tick %d", t).hasSize(50);
      world.advance(START + (t + 1) * INTERVAL);
    }
  }

  @Test
  void everyClientConnectionMeetsAListenerAndItsOtherEndAtTheRemoteAddress() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(5, 9, 120, 20, 2), START, INTERVAL);
    for (int t = 0; t < 8; t++) {
      List<Report> reports = world.reports();
      Set<String> listening = new HashSet<>();
      Set<String> established = new HashSet<>();
      for (Report r : reports) {
        for (Connection c : r.connections()) {
          if (c.listening()) {
            listening.add(c.localAddress() + ":" + c.localPort());
          } else {
            established.add(c.localAddress() + ":" + c.localPort() + ">" + c.remoteAddress() + ":" + c.remotePort());
          }
        }
      }
      List<Connection> clients = clientEnds(reports);
      assertThat(clients).isNotEmpty();
      for (Connection c : clients) {
        assertThat(listening).as("a listener at %s:%d", c.remoteAddress(), c.remotePort())
            .contains(c.remoteAddress() + ":" + c.remotePort());
        assertThat(established).as("the server's end of %s:%d", c.localAddress(), c.localPort())
            .contains(c.remoteAddress() + ":" + c.remotePort() + ">" + c.localAddress() + ":" + c.localPort());
        assertThat(c.state()).isEqualTo("ESTABLISHED");
      }
      world.advance(START + (t + 1) * INTERVAL);
    }
  }

  @Test
  void connectionsFollowTheServiceGraph() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(3, 10, 200, 0, 3), START, INTERVAL);
    List<Report> reports = world.reports();
    Map<String, String> serviceAt = new HashMap<>();
    for (Report r : reports) {
      for (ContainerInfo c : r.containers()) {
        serviceAt.put(c.ips().get(0), c.labels().get("app"));
      }
    }
    Set<String> pairs = new HashSet<>();
    for (Connection c : clientEnds(reports)) {
      String caller = serviceAt.get(c.localAddress());
      String callee = serviceAt.get(c.remoteAddress());
      assertThat(ServiceGraph.service(caller).calls()).as("%s calls %s", caller, callee).contains(callee);
      assertThat(c.remotePort()).isEqualTo(ServiceGraph.service(callee).port());
      pairs.add(caller + ">" + callee);
    }
    assertThat(pairs).contains("frontend>api", "api>db", "api>cache", "api>queue", "worker>queue");
    Set<String> crossHost = new HashSet<>();
    Map<String, String> hostOfAddress = new HashMap<>();
    for (Report r : reports) {
      r.containers().forEach(c -> hostOfAddress.put(c.ips().get(0), r.hostId()));
    }
    for (Connection c : clientEnds(reports)) {
      if (!hostOfAddress.get(c.localAddress()).equals(hostOfAddress.get(c.remoteAddress()))) {
        crossHost.add(c.localAddress());
      }
    }
    assertThat(crossHost).as("clients that talk to pods on other hosts").isNotEmpty();
  }

  @Test
  void churnReplacesItsShareOfContainersEveryTick() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(10, 20, 300, 10, 4), START, INTERVAL);
    for (int t = 1; t <= 5; t++) {
      Map<String, Set<String>> before = containerIdsByHost(world.reports());
      SimulatedWorld.Tick tick = world.advance(START + t * INTERVAL);
      Map<String, Set<String>> after = containerIdsByHost(world.reports());
      Set<String> gone = new HashSet<>();
      Set<String> added = new HashSet<>();
      for (String host : before.keySet()) {
        assertThat(after.get(host)).hasSize(20);
        before.get(host).stream().filter(id -> !after.get(host).contains(id)).forEach(gone::add);
        after.get(host).stream().filter(id -> !before.get(host).contains(id)).forEach(added::add);
      }
      assertThat(gone).as("10% of 200 containers gone at tick %d", t).hasSize(20);
      assertThat(added).hasSize(20);
      assertThat(tick.replacedContainerIds()).containsExactlyInAnyOrderElementsOf(gone);
      assertThat(tick.connectionsOpened()).isEqualTo(tick.connectionsClosed());
      assertThat(world.connectionCount()).isEqualTo(300);
    }
  }

  @Test
  void aFractionalShareIsCarriedToLaterTicks() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(1, 10, 5, 5, 5), START, INTERVAL);
    int replaced = 0;
    for (int t = 1; t <= 10; t++) {
      int n = world.advance(START + t * INTERVAL).replacedContainerIds().size();
      assertThat(n).isBetween(0, 1);
      replaced += n;
    }
    assertThat(replaced).as("half a container a tick for ten ticks").isEqualTo(5);
  }

  @Test
  void noChurnKeepsEveryContainerAndConnection() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(2, 6, 20, 0, 6), START, INTERVAL);
    Map<String, Set<String>> before = containerIdsByHost(world.reports());
    Set<String> connectionsBefore = tuples(clientEnds(world.reports()));
    for (int t = 1; t <= 3; t++) {
      assertThat(world.advance(START + t * INTERVAL).replacedContainerIds()).isEmpty();
    }
    assertThat(containerIdsByHost(world.reports())).isEqualTo(before);
    assertThat(tuples(clientEnds(world.reports()))).isEqualTo(connectionsBefore);
  }

  @Test
  void replacedPodsLoseTheirConnectionsAndTheirAddressesAreReused() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(2, 10, 40, 30, 7), START, INTERVAL);
    Map<String, String> ownerOfAddress = new HashMap<>();
    world.reports().forEach(r -> r.containers().forEach(c -> ownerOfAddress.put(c.ips().get(0), c.id())));
    boolean reused = false;
    for (int t = 1; t <= 10; t++) {
      SimulatedWorld.Tick tick = world.advance(START + t * INTERVAL);
      List<Report> reports = world.reports();
      Set<String> live = new HashSet<>();
      for (Report r : reports) {
        List<String> addresses = r.containers().stream().map(c -> c.ips().get(0)).toList();
        assertThat(addresses).as("pod addresses on %s", r.host().hostname()).doesNotHaveDuplicates();
        for (ContainerInfo c : r.containers()) {
          live.add(c.id());
          String previous = ownerOfAddress.put(c.ips().get(0), c.id());
          reused |= previous != null && !previous.equals(c.id());
        }
      }
      assertThat(live).doesNotContainAnyElementsOf(tick.replacedContainerIds());
      for (Report r : reports) {
        Set<Integer> pids = r.processes().stream().map(ProcessInfo::pid).collect(Collectors.toSet());
        for (Connection c : r.connections()) {
          assertThat(pids).as("the owner of %s:%d lives on its host", c.localAddress(), c.localPort()).contains(c.pid());
        }
      }
    }
    assertThat(reused).as("an address of a replaced pod went to a new pod").isTrue();
  }

  @Test
  void containersLookLikeKubernetesPodsAndOwnTheirProcesses() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(2, 5, 10, 0, 8), START, INTERVAL);
    for (Report r : world.reports()) {
      Map<Integer, ProcessInfo> byPid = new HashMap<>();
      r.processes().forEach(p -> byPid.put(p.pid(), p));
      assertThat(byPid).as("pids are unique on a host").hasSize(r.processes().size());
      for (ContainerInfo c : r.containers()) {
        assertThat(c.id()).matches("[0-9a-f]{64}");
        assertThat(c.runtime()).isEqualTo("docker");
        assertThat(c.image()).contains(":");
        String service = c.labels().get("app");
        assertThat(c.podName()).startsWith(service + "-").isEqualTo(c.labels().get("io.kubernetes.pod.name"));
        assertThat(c.podNamespace()).isEqualTo("shop").isEqualTo(c.labels().get("io.kubernetes.pod.namespace"));
        assertThat(c.podUid()).isEqualTo(c.labels().get("io.kubernetes.pod.uid"));
        assertThat(c.labels()).containsEntry("io.kubernetes.container.name", service);
        assertThat(c.name()).startsWith("k8s_" + service + "_" + c.podName() + "_shop_");
        ProcessInfo main = byPid.get(c.pid());
        assertThat(main.containerId()).isEqualTo(c.id());
        assertThat(main.cgroup()).contains(c.id()).contains(c.podUid().replace('-', '_'));
        assertThat(main.netNamespace()).isNotEqualTo(SimulatedWorld.HOST_NET_NAMESPACE);
        assertThat(byPid.get(main.ppid()).comm()).isEqualTo("containerd-shim");
        List<Connection> sockets = r.connections().stream()
            .filter(s -> s.localAddress().equals(c.ips().get(0))).toList();
        assertThat(sockets).allSatisfy(s -> assertThat(s.netNamespace()).isEqualTo(main.netNamespace()));
      }
      assertThat(r.containers().stream().map(ContainerInfo::pid).map(byPid::get).map(ProcessInfo::netNamespace))
          .as("one network namespace per pod").doesNotHaveDuplicates();
    }
  }

  @Test
  void byteCountersGrowOnConnectionsThatStay() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(2, 4, 6, 0, 9), START, INTERVAL);
    Map<String, Connection> before = byTuple(clientEnds(world.reports()));
    world.advance(START + INTERVAL);
    Map<String, Connection> after = byTuple(clientEnds(world.reports()));
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((tuple, c) -> {
      assertThat(after.get(tuple).bytesSent()).isGreaterThan(c.bytesSent());
      assertThat(after.get(tuple).bytesReceived()).isGreaterThan(c.bytesReceived());
      assertThat(after.get(tuple).rttMicros()).isPositive();
      assertThat(after.get(tuple).openedAt()).isEqualTo(START);
    });
  }

  @Test
  void bothEndsOfAConnectionCountTheSameBytes() {
    SimulatedWorld world = new SimulatedWorld(new WorldShape(3, 4, 12, 0, 10), START, INTERVAL);
    world.advance(START + INTERVAL);
    Map<String, Connection> servers = byTuple(serverEnds(world.reports()));
    for (Connection c : clientEnds(world.reports())) {
      Connection s = servers.get(c.remoteAddress() + ":" + c.remotePort() + ">" + c.localAddress() + ":" + c.localPort());
      assertThat(s.bytesReceived()).isEqualTo(c.bytesSent());
      assertThat(s.bytesSent()).isEqualTo(c.bytesReceived());
    }
  }

  @Test
  void theSameSeedAndTimesGiveTheSameReports() {
    WorldShape shape = new WorldShape(3, 8, 30, 25, 42);
    SimulatedWorld a = new SimulatedWorld(shape, START, INTERVAL);
    SimulatedWorld b = new SimulatedWorld(shape, START, INTERVAL);
    for (int t = 1; t <= 5; t++) {
      assertThat(a.advance(START + t * INTERVAL)).isEqualTo(b.advance(START + t * INTERVAL));
      assertThat(a.reports()).isEqualTo(b.reports());
    }
    SimulatedWorld other = new SimulatedWorld(new WorldShape(3, 8, 30, 25, 43), START, INTERVAL);
    assertThat(other.reports().get(0).hostId()).isNotEqualTo(a.reports().get(0).hostId());
  }

  @Test
  void aWorldTooSmallForAConnectionIsRefused() {
    assertThatThrownBy(() -> new WorldShape(1, 1, 1, 0, 0)).hasMessageContaining("connections");
    assertThatThrownBy(() -> new WorldShape(1, 251, 0, 0, 0)).hasMessageContaining("containersPerHost");
    assertThatThrownBy(() -> new WorldShape(1, 1, 0, 100.5, 0)).hasMessageContaining("churnPercent");
    assertThat(new SimulatedWorld(new WorldShape(2, 1, 3, 0, 0), START, INTERVAL).connectionCount())
        .as("two containers are a frontend and the api it calls").isEqualTo(3);
    assertThat(new SimulatedWorld(new WorldShape(3, 0, 0, 50, 0), START, INTERVAL).reports())
        .allSatisfy(r -> assertThat(r.containers()).isEmpty());
  }

  /** Ends of connections whose local address and port is no listener: the clients. */
  static List<Connection> clientEnds(List<Report> reports) {
    return ends(reports, false);
  }

  static List<Connection> serverEnds(List<Report> reports) {
    return ends(reports, true);
  }

  private static List<Connection> ends(List<Report> reports, boolean server) {
    List<Connection> ends = new ArrayList<>();
    for (Report r : reports) {
      Set<String> listeners = r.connections().stream().filter(Connection::listening)
          .map(c -> c.localAddress() + ":" + c.localPort()).collect(Collectors.toSet());
      r.connections().stream()
          .filter(c -> !c.listening())
          .filter(c -> listeners.contains(c.localAddress() + ":" + c.localPort()) == server)
          .forEach(ends::add);
    }
    return ends;
  }

  private static Map<String, Set<String>> containerIdsByHost(List<Report> reports) {
    Map<String, Set<String>> ids = new HashMap<>();
    reports.forEach(r -> ids.put(r.hostId(),
        r.containers().stream().map(ContainerInfo::id).collect(Collectors.toSet())));
    return ids;
  }

  private static Set<String> tuples(List<Connection> connections) {
    return byTuple(connections).keySet();
  }

  private static Map<String, Connection> byTuple(List<Connection> connections) {
    Map<String, Connection> m = new HashMap<>();
    connections.forEach(c -> m.put(c.localAddress() + ":" + c.localPort() + ">" + c.remoteAddress() + ":" + c.remotePort(), c));
    return m;
  }
}
