package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.NodeIds;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorldBuilderTest {
  private final WorldBuilder builder = new WorldBuilder();

  private static String proc(String host, int pid) {
    return NodeIds.process(host, pid, 1000L + pid);
  }

  @Test
  void drawsClientToServerOnLoopbackWhateverThePortNumbers() {
    // The client's ephemeral port (80) is lower than the server's (9000): direction must come
    // from the listening socket, not from port numbers.
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "client").process(20, "server")
        .listen(20, "127.0.0.1", 9000)
        .connect(10, "127.0.0.1", 80, "127.0.0.1", 9000)
        .connect(20, "127.0.0.1", 9000, "127.0.0.1", 80)
        .at(1)));

    assertThat(g.edges().keySet()).containsExactly(Edge.key(proc("h1", 10), proc("h1", 20)));
    assertThat(g.node(proc("h1", 10)).attrs()).containsEntry("pid", 10L).containsEntry("cmdline", "/usr/bin/client");
  }

  @Test
  void resolvesAnAcceptedConnectionThroughAWildcardListener() {
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "curl").process(20, "nginx")
        .listen(20, "0.0.0.0", 8080)
        .connect(10, "127.0.0.1", 50000, "127.0.0.1", 8080)
        .connect(20, "127.0.0.1", 8080, "127.0.0.1", 50000)
        .at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("h1", 10), proc("h1", 20)));
  }

  @Test
  void connectsProcessesOnTwoHostsThroughTheListenerIndex() {
    Graph g = builder.build(List.of(
        Reports.host("a").address("10.0.0.1").process(10, "api")
            .connect(10, "10.0.0.1", 40000, "10.0.0.2", 5432).at(1),
        Reports.host("b").address("10.0.0.2").process(30, "postgres")
            .listen(30, "0.0.0.0", 5432)
            .connect(30, "10.0.0.2", 5432, "10.0.0.1", 40000).at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("a", 10), proc("b", 30)));
    assertThat(Views.render(Views.HOSTS, g).orElseThrow().edges())
        .containsOnlyKeys(Edge.key(NodeIds.host("a"), NodeIds.host("b")));
  }

  @Test
  void sendsPublicPeersToTheInternetAndGroupsUnknownPrivateOnesBySlash24() {
    Graph g = builder.build(List.of(Reports.host("h1").address("10.0.0.1")
        .process(10, "curl").connect(10, "10.0.0.1", 40000, "93.184.216.34", 443)
        .connect(10, "10.0.0.1", 40001, "1.1.1.1", 443)
        .process(20, "sshd").listen(20, "0.0.0.0", 22)
        .connect(20, "10.0.0.1", 22, "192.168.1.7", 51000)
        .connect(20, "10.0.0.1", 22, "192.168.1.200", 52000)
        .at(1)));

    assertThat(g.edges()).containsOnlyKeys(
        Edge.key(proc("h1", 10), NodeIds.INTERNET),
        Edge.key("remote;192.168.1.0/24", proc("h1", 20)));
    assertThat(g.edges().get(Edge.key(proc("h1", 10), NodeIds.INTERNET)).attrs()).containsEntry("connections", 2L);
    assertThat(g.edges().get(Edge.key("remote;192.168.1.0/24", proc("h1", 20))).attrs())
        .containsEntry("connections", 2L);
    assertThat(g.node("remote;192.168.1.0/24").kind()).isEqualTo(Kinds.REMOTE);
  }

  @Test
  void aClientPodOnAnotherHostIsOneEdgeAndNoRemoteNode() {
    // Pod addresses are not host addresses: the server's accepted socket comes from 10.64.1.5,
    // which only the client host's socket and container say is theirs.
    Graph g = builder.build(List.of(
        Reports.host("a").address("10.1.0.1")
            .inNamespace(501).pod("c-api", "shop", "api-7d4b9c6f5-x2x9z", "api", "10.64.1.5")
            .containerProcess(10, "java", "c-api")
            .connect(10, "10.64.1.5", 40000, "10.64.2.9", 5432, 1500, 120_000).at(1),
        Reports.host("b").address("10.1.0.2")
            .inNamespace(601).pod("c-db", "shop", "db-0", "db", "10.64.2.9")
            .containerProcess(30, "postgres", "c-db")
            .listen(30, "10.64.2.9", 5432)
            .connect(30, "10.64.2.9", 5432, "10.64.1.5", 40000, 120_000, 1500).at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("a", 10), proc("b", 30)));
    assertThat(g.nodes().values()).noneMatch(n -> Kinds.REMOTE.equals(n.kind()));
    assertThat(g.edges().values().iterator().next().attrs())
        .containsEntry("bytesSent", 1500L).containsEntry("bytesReceived", 120_000L);
  }

  @Test
  void aServerSeesAClientPodThroughItsContainerAddressEvenWithoutTheClientSocket() {
    // The client host's probe has not listed the socket yet, but its container owns 10.64.1.5.
    Graph g = builder.build(List.of(
        Reports.host("a").address("10.1.0.1")
            .inNamespace(501).pod("c-api", "shop", "api-1", "api", "10.64.1.5")
            .containerProcess(10, "java", "c-api").at(1),
        Reports.host("b").address("10.1.0.2")
            .inNamespace(601).containerProcess(30, "postgres", "c-db")
            .listen(30, "0.0.0.0", 5432)
            .connect(30, "10.64.2.9", 5432, "10.64.1.5", 40000).at(1)));

    assertThat(g.nodes().values()).noneMatch(n -> Kinds.REMOTE.equals(n.kind()));
  }

  @Test
  void aClusterIpConnectionResolvesToTheBackendOnAnotherHost() {
    Graph g = builder.build(List.of(
        Reports.host("a").address("10.1.0.1")
            .inNamespace(501).containerProcess(10, "nginx", "c-web")
            .connect(10, "10.64.1.5", 40000, "10.96.0.10", 80)
            .dnat("10.64.1.5", 40000, "10.96.0.10", 80, "10.64.2.9", 8080).at(1),
        Reports.host("b").address("10.1.0.2")
            .inNamespace(601).containerProcess(30, "java", "c-api")
            .listen(30, "0.0.0.0", 8080)
            .connect(30, "10.64.2.9", 8080, "10.64.1.5", 40000).at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("a", 10), proc("b", 30)));
  }

  @Test
  void bridgeAddressesThatRepeatOnEveryHostResolveOnTheAskingHost() {
    // 172.17.0.2 is a container on both hosts; each client reaches its own host's.
    Reports a = Reports.host("a").address("10.1.0.1")
        .inNamespace(1).process(10, "client").connect(10, "172.17.0.1", 40000, "172.17.0.2", 80)
        .inNamespace(2).process(11, "server").listen(11, "0.0.0.0", 80)
        .connect(11, "172.17.0.2", 80, "172.17.0.1", 40000);
    Reports b = Reports.host("b").address("10.1.0.2")
        .inNamespace(1).process(20, "client").connect(20, "172.17.0.1", 40000, "172.17.0.2", 80)
        .inNamespace(2).process(21, "server").listen(21, "0.0.0.0", 80)
        .connect(21, "172.17.0.2", 80, "172.17.0.1", 40000);
    Graph g = builder.build(List.of(a.at(1), b.at(1)));

    assertThat(g.edges()).containsOnlyKeys(
        Edge.key(proc("a", 10), proc("a", 11)), Edge.key(proc("b", 20), proc("b", 21)));
  }

  @Test
  void aReusedPodAddressBelongsToTheLivePodNotToTheOneThatJustClosedAConnection() {
    Graph g = builder.build(List.of(
        Reports.host("a").address("10.1.0.1")
            .inNamespace(501).process(10, "nginx").connect(10, "10.64.1.9", 40000, "10.64.2.5", 8080).at(1),
        Reports.host("b").address("10.1.0.2")
            .inNamespace(601).process(30, "old-api").closed(30, "10.64.2.5", 8080, "10.64.1.9", 39000)
            .inNamespace(602).process(31, "new-api").listen(31, "0.0.0.0", 8080)
            .connect(31, "10.64.2.5", 8080, "10.64.1.9", 40000).at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("a", 10), proc("b", 31)));
  }

  @Test
  void containersAndPodsAreParentsOfTheirProcesses() {
    Graph g = builder.build(List.of(Reports.host("h1")
        .inNamespace(7).pod("c1", "shop", "api-7d4b9c6f5-x2x9z", "api", "10.64.1.5")
        .containerProcess(10, "java", "c1")
        .containerProcess(11, "sh", "c-unnamed")
        .process(12, "sshd")
        .at(1)));

    String container = NodeIds.container("h1", "c1");
    assertThat(g.node(container).kind()).isEqualTo(Kinds.CONTAINER);
    assertThat(g.node(container).attrs()).containsEntry("image", "api:1.0").containsEntry("label.app", "api")
        .containsEntry("pod", NodeIds.pod("uid-api-7d4b9c6f5-x2x9z")).containsEntry("host", "h1");
    Node pod = g.node(NodeIds.pod("uid-api-7d4b9c6f5-x2x9z"));
    assertThat(pod.label()).isEqualTo("api-7d4b9c6f5-x2x9z");
    assertThat(pod.attrs()).containsEntry("namespace", "shop").containsEntry("label.app", "api")
        .containsEntry("host", "h1").doesNotContainKey("label.io.kubernetes.pod.name");
    assertThat(g.node(proc("h1", 10)).attrs()).containsEntry("container", container)
        .containsEntry("pod", pod.id()).containsEntry("namespace", "shop");
    // Known only from a cgroup: still a container, named by its short id.
    assertThat(g.node(NodeIds.container("h1", "c-unnamed")).attrs()).containsEntry("runtime", "unknown");
    assertThat(g.node(proc("h1", 12)).attrs()).doesNotContainKey("container");
  }

  @Test
  void byteCountersAreRoundedToTwoSignificantDigits() {
    assertThat(WorldBuilder.twoSignificantDigits(99)).isEqualTo(99);
    assertThat(WorldBuilder.twoSignificantDigits(123_456)).isEqualTo(120_000);
    assertThat(WorldBuilder.twoSignificantDigits(1_999)).isEqualTo(1_900);
  }

  @Test
  void groupsProcessesByNameAndCountsConnections() {
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "worker").process(11, "worker").process(20, "redis")
        .listen(20, "127.0.0.1", 6379)
        .connect(10, "127.0.0.1", 50001, "127.0.0.1", 6379)
        .connect(11, "127.0.0.1", 50002, "127.0.0.1", 6379)
        .at(1)));

    Graph byName = Views.render(Views.PROCESSES_BY_NAME, g).orElseThrow();
    assertThat(byName.nodes()).hasSize(2);
    assertThat(byName.node("h1;<name>;worker").attrs()).containsEntry("members", 2L);
    assertThat(byName.edges().values()).singleElement()
        .satisfies(e -> assertThat(e.attrs()).containsEntry("connections", 2L));
  }

  @Test
  void seesThroughADnatToTheBackendThatAnswers() {
    // curl on the host → 127.0.0.1:8080, which Docker's -p DNATs to the container at 172.17.0.2:80.
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "curl").process(20, "docker-proxy").process(30, "nginx")
        .connect(10, "10.0.0.1", 40000, "10.0.0.1", 8080)
        .dnat("10.0.0.1", 40000, "10.0.0.1", 8080, "172.17.0.2", 80)
        .inNamespace(4026532999L)
        .listen(30, "0.0.0.0", 80)
        .connect(30, "172.17.0.2", 80, "10.0.0.1", 40000)
        .at(1)));

    assertThat(g.edges()).containsOnlyKeys(Edge.key(proc("h1", 10), proc("h1", 30)));
  }

  @Test
  void keepsLoopbackPrivateToEachNetworkNamespace() {
    // Two containers each talk to their own 127.0.0.1:6379; edges must not cross namespaces.
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "app-a").process(11, "redis-a").process(20, "app-b").process(21, "redis-b")
        .inNamespace(1001).listen(11, "127.0.0.1", 6379)
        .connect(10, "127.0.0.1", 50000, "127.0.0.1", 6379)
        .connect(11, "127.0.0.1", 6379, "127.0.0.1", 50000)
        .inNamespace(1002).listen(21, "127.0.0.1", 6379)
        .connect(20, "127.0.0.1", 50000, "127.0.0.1", 6379)
        .connect(21, "127.0.0.1", 6379, "127.0.0.1", 50000)
        .at(1)));

    assertThat(g.edges()).containsOnlyKeys(
        Edge.key(proc("h1", 10), proc("h1", 11)), Edge.key(proc("h1", 20), proc("h1", 21)));
  }

  @Test
  void reachesAContainerByItsBridgeAddressThroughItsWildcardListener() {
    Graph g = builder.build(List.of(Reports.host("h1")
        .process(10, "client").process(30, "server")
        .inNamespace(2001).connect(10, "172.17.0.3", 41000, "172.17.0.2", 8080)
        .inNamespace(2002).listen(30, "0.0.0.0", 8080)
        .connect(30, "172.17.0.2", 8080, "172.17.0.9", 45000)
        .at(1)));

    assertThat(g.edges()).containsKey(Edge.key(proc("h1", 10), proc("h1", 30)));
  }

  @Test
  void asksTheEndpointIndexForAServerNoReportListensOn() {
    String serverElsewhere = proc("h2", 20);
    WorldBuilder shard = new WorldBuilder((address, port) ->
        "10.0.0.2".equals(address) && port == 5432 ? serverElsewhere : null);
    Graph g = shard.build(List.of(Reports.host("h1").address("10.0.0.1")
        .process(10, "app")
        .connect(10, "10.0.0.1", 40000, "10.0.0.2", 5432)
        .connect(10, "10.0.0.1", 40001, "10.0.0.3", 443)
        .at(1)));

    assertThat(g.edges().keySet()).containsExactlyInAnyOrder(
        Edge.key(proc("h1", 10), serverElsewhere), Edge.key(proc("h1", 10), "remote;10.0.0.0/24"));
  }
}
