package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.NodeIds;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.ViewOptions;
import io.chronoscope.topology.ViewOptions.Hidden;
import io.chronoscope.topology.Views;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Views rendered from a world the collector built: two hosts of a small shop and kube-system. */
class ViewsTest {
  private static final String API_A = "api-7d4b9c6f5-x2x9z";
  private static final String API_B = "api-7d4b9c6f5-k8j2q";

  private final Graph world = new WorldBuilder().build(List.of(
      Reports.host("a").address("10.1.0.1")
          .process(1, "systemd").process(5, "sshd").listen(5, "0.0.0.0", 22)
          .inNamespace(501).pod("c-api-a", "shop", API_A, "api", "10.64.1.5")
          .containerProcess(10, "java", "c-api-a")
          .containerProcess(11, "java", "c-api-a")
          .connect(10, "10.64.1.5", 40000, "10.64.2.9", 5432)
          .connect(11, "10.64.1.5", 40001, "10.64.2.9", 5432)
          .inNamespace(502).container("c-dns", "k8s_coredns_coredns-5d78c9869d-qq7wd_kube-system_u1_0",
              "registry.k8s.io/coredns/coredns:v1.11.1", "10.64.1.2",
              "io.kubernetes.pod.name", "coredns-5d78c9869d-qq7wd", "io.kubernetes.pod.namespace", "kube-system",
              "io.kubernetes.pod.uid", "u1", "k8s-app", "kube-dns", "pod-template-hash", "5d78c9869d")
          .containerProcess(20, "coredns", "c-dns")
          .at(1),
      Reports.host("b").address("10.1.0.2")
          .inNamespace(601).pod("c-api-b", "shop", API_B, "api", "10.64.2.5")
          .containerProcess(30, "java", "c-api-b")
          .connect(30, "10.64.2.5", 40000, "10.64.2.9", 5432)
          .inNamespace(602).pod("c-db", "shop", "db-0", "db", "10.64.2.9")
          .containerProcess(40, "postgres", "c-db")
          .listen(40, "0.0.0.0", 5432)
          .connect(40, "10.64.2.9", 5432, "10.64.1.5", 40000)
          .connect(40, "10.64.2.9", 5432, "10.64.1.5", 40001)
          .connect(40, "10.64.2.9", 5432, "10.64.2.5", 40000)
          .at(1)));

  private Graph render(String view) {
    return Views.render(view, world).orElseThrow();
  }

  private Graph render(String view, ViewOptions options) {
    return Views.render(view, world, options).orElseThrow();
  }

  @Test
  void containersHoldTheirProcessesAndEachHostHasOneUncontainedNode() {
    Graph g = render(Views.CONTAINERS);
    String apiA = NodeIds.container("a", "c-api-a");
    assertThat(g.node(apiA).attrs()).containsEntry("members", 2L);
    assertThat(g.node("a;<uncontained>").label()).isEqualTo("Uncontained (a-name)");
    assertThat(g.nodes()).doesNotContainKey("b;<uncontained>");
    assertThat(g.edges()).containsOnlyKeys(
        Edge.key(apiA, NodeIds.container("b", "c-db")),
        Edge.key(NodeIds.container("b", "c-api-b"), NodeIds.container("b", "c-db")));
    assertThat(g.edges().get(Edge.key(apiA, NodeIds.container("b", "c-db"))).attrs())
        .containsEntry("connections", 2L);
  }

  @Test
  void containersByImageFoldReplicasAndIgnoreTheTag() {
    Graph g = render(Views.CONTAINERS_BY_IMAGE);
    assertThat(g.node("<image>;api").attrs()).containsEntry("members", 5L); // two containers, three processes
    assertThat(g.nodes()).containsKey("<image>;registry.k8s.io/coredns/coredns");
    assertThat(g.edges()).containsOnlyKeys(Edge.key("<image>;api", "<image>;db"));
    assertThat(g.edges().get(Edge.key("<image>;api", "<image>;db")).attrs()).containsEntry("connections", 3L);
  }

  @Test
  void containersByHostnameUseThePodName() {
    assertThat(render(Views.CONTAINERS_BY_HOSTNAME).nodes())
        .containsKeys("<hostname>;" + API_A, "<hostname>;db-0", "a;<uncontained>");
  }

  @Test
  void podsWorkloadsAndServicesFoldOnePodLevelAtATime() {
    Graph pods = render(Views.PODS);
    assertThat(pods.nodes().values()).allMatch(n -> Kinds.POD.equals(n.kind()));
    assertThat(pods.nodes()).hasSize(4);
    assertThat(pods.edges()).hasSize(2);

    Graph workloads = render(Views.WORKLOADS);
    assertThat(workloads.nodes()).containsOnlyKeys("<workload>;shop/deployment/api",
        "<workload>;shop/statefulset/db", "<workload>;kube-system/deployment/coredns");
    assertThat(workloads.edges()).containsOnlyKeys(
        Edge.key("<workload>;shop/deployment/api", "<workload>;shop/statefulset/db"));
    assertThat(workloads.edges().values().iterator().next().attrs()).containsEntry("connections", 3L);

    Graph services = render(Views.SERVICES);
    assertThat(services.nodes()).containsOnlyKeys("<service>;shop/api", "<service>;shop/db");
  }

  @Test
  void workloadsComeFromControllerLabelsFirstThenFromPodNames() {
    assertThat(Views.workloadOf("web-7d4b9c6f5-x2x9z", Map.of())).isEqualTo(new Views.Workload("deployment", "web"));
    assertThat(Views.workloadOf("my-app-1-2-abcdef-x2x9z", Map.of("pod-template-hash", "abcdef")))
        .isEqualTo(new Views.Workload("deployment", "my-app-1-2"));
    assertThat(Views.workloadOf("web-7d4b9c6f5-24567", Map.of())).isEqualTo(new Views.Workload("deployment", "web"));
    assertThat(Views.workloadOf("kafka-12", Map.of())).isEqualTo(new Views.Workload("statefulset", "kafka"));
    assertThat(Views.workloadOf("kafka-10000", Map.of())).isEqualTo(new Views.Workload("statefulset", "kafka"));
    assertThat(Views.workloadOf("fluentd-x2x9z",
        Map.of("controller-revision-hash", "5c7b", "pod-template-generation", "3"))).isEqualTo(new Views.Workload("daemonset", "fluentd"));
    assertThat(Views.workloadOf("backup-28911-x2x9z", Map.of("job-name", "backup-28911")))
        .isEqualTo(new Views.Workload("job", "backup-28911"));
    assertThat(Views.workloadOf("debug", Map.of())).isEqualTo(new Views.Workload("pod", "debug"));
    assertThat(Views.workloadOf("debug-x2x9z", Map.of())).isEqualTo(new Views.Workload("pod", "debug-x2x9z"));
  }

  @Test
  void theHostsViewCountsOnlyProcessesAsMembers() {
    assertThat(render(Views.HOSTS).node(NodeIds.host("a")).attrs()).containsEntry("members", 5L);
  }

  @Test
  void namespaceAndSelectorKeepOnlyMatchingProcessesAndTheirHosts() {
    Graph shop = render(Views.PROCESSES, new ViewOptions("shop", null, Set.of(), null));
    assertThat(shop.nodes().values()).extracting(n -> n.attrs().get("comm")).containsOnly("java", "postgres");

    Graph db = render(Views.HOSTS, new ViewOptions(null, Labels.Selector.parse("app=db"), Set.of(), null));
    assertThat(db.nodes()).containsOnlyKeys(NodeIds.host("b"));

    Graph notDb = render(Views.PODS, new ViewOptions("shop", Labels.Selector.parse("app!=db"), Set.of(), null));
    assertThat(notDb.nodes().values()).extracting(n -> n.label()).containsOnly(API_A, API_B);
    assertThat(notDb.edges()).isEmpty();
  }

  @Test
  void hideLeavesOutSystemPodsAndUncontainedProcesses() {
    Graph g = render(Views.PROCESSES, new ViewOptions(null, null, Set.of(Hidden.SYSTEM, Hidden.UNCONTAINED), null));
    assertThat(g.nodes().values()).extracting(n -> n.attrs().get("comm")).containsOnly("java", "postgres");
    Graph system = render(Views.CONTAINERS, new ViewOptions(null, null, Set.of(Hidden.SYSTEM), null));
    assertThat(system.nodes()).doesNotContainKey(NodeIds.container("a", "c-dns")).containsKey("a;<uncontained>");
  }

  @Test
  void groupingByAnyLabelFoldsTheNodesThatCarryIt() {
    Graph g = render(Views.PROCESSES, new ViewOptions(null, null, Set.of(), "app"));
    assertThat(g.node("<label>;app=api").attrs()).containsEntry("members", 3L).containsEntry("labelValue", "api");
    assertThat(g.edges()).containsOnlyKeys(Edge.key("<label>;app=api", "<label>;app=db"));
    // Processes without the label stay as they are.
    assertThat(g.nodes()).containsKey(NodeIds.process("a", 5, 1005));
  }

  @Test
  void selectorsParseKubernetesEqualitySyntaxAndSayWhatIsWrong() {
    Labels.Selector s = Labels.Selector.parse("app=api, tier!=cache,team,!canary");
    assertThat(s.matches(Map.of("app", "api", "team", "x"))).isTrue();
    assertThat(s.matches(Map.of("app", "api", "team", "x", "tier", "cache"))).isFalse();
    assertThat(s.matches(Map.of("app", "api", "team", "x", "canary", "true"))).isFalse();
    assertThat(s.matches(Map.of("app", "api"))).isFalse();
    assertThatThrownBy(() -> Labels.Selector.parse("app=api,")).hasMessageContaining("empty requirement");
    assertThatThrownBy(() -> Labels.Selector.parse("=api")).hasMessageContaining("no valid label key");
    assertThatThrownBy(() -> Labels.Selector.parse("app=a b")).hasMessageContaining("value");
  }
}
