package io.chronoscope.topology;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Views are projections of the world graph, computed on read (Weave Scope's renderers): the store
 * keeps only the finest-grained graph and every view is derived from it at any instant. Each view
 * maps the world's nodes onto its own through the parent attributes ({@code host},
 * {@code container}, {@code pod}) and folds process-to-process edges onto them.
 */
public final class Views {
  public static final String PROCESSES = "processes";
  public static final String PROCESSES_BY_NAME = "processes-by-name";
  public static final String CONTAINERS = "containers";
  public static final String CONTAINERS_BY_IMAGE = "containers-by-image";
  public static final String CONTAINERS_BY_HOSTNAME = "containers-by-hostname";
  public static final String PODS = "pods";
  public static final String WORKLOADS = "workloads";
  public static final String SERVICES = "services";
  public static final String HOSTS = "hosts";

  /** Kubernetes' random names use no vowels and no look-alikes (0, 1, 3), so they never read as ordinals. */
  private static final String K8S_RANDOM = "[bcdfghjklmnpqrstvwxz2456789]";
  /** A Deployment's pod: {@code <name>-<ReplicaSet template hash>-<random 5>}. */
  private static final Pattern REPLICA_SET_POD = Pattern.compile("(.+)-" + K8S_RANDOM + "{6,10}-" + K8S_RANDOM + "{5}");
  /** A StatefulSet's pod: {@code <name>-<ordinal>}. */
  private static final Pattern STATEFUL_SET_POD = Pattern.compile("(.+)-(0|[1-9][0-9]*)");
  /** A DaemonSet's pod: {@code <name>-<random 5>}, told from a bare pod by its labels. */
  private static final Pattern RANDOM_SUFFIX_POD = Pattern.compile("(.+)-" + K8S_RANDOM + "{5}");

  private static final Map<String, Function<Graph, Graph>> RENDERERS = new LinkedHashMap<>();

  static {
    RENDERERS.put(PROCESSES, Views::processes);
    RENDERERS.put(PROCESSES_BY_NAME, Views::processesByName);
    RENDERERS.put(CONTAINERS, Views::containers);
    RENDERERS.put(CONTAINERS_BY_IMAGE, Views::containersByImage);
    RENDERERS.put(CONTAINERS_BY_HOSTNAME, Views::containersByHostname);
    RENDERERS.put(PODS, Views::pods);
    RENDERERS.put(WORKLOADS, Views::workloads);
    RENDERERS.put(SERVICES, Views::services);
    RENDERERS.put(HOSTS, Views::hosts);
  }

  private Views() {}

  public static List<String> names() {
    return List.copyOf(RENDERERS.keySet());
  }

  public static boolean exists(String view) {
    return RENDERERS.containsKey(view);
  }

  /** Renders {@code view} from the world graph, or empty when no such view exists. */
  public static Optional<Graph> render(String view, Graph world) {
    return render(view, world, ViewOptions.NONE);
  }

  /** Renders {@code view} from the part of the world {@code options} keep, grouped as they say. */
  public static Optional<Graph> render(String view, Graph world, ViewOptions options) {
    Function<Graph, Graph> r = RENDERERS.get(view);
    if (r == null) {
      return Optional.empty();
    }
    Graph kept = options.filters() ? filter(world, options) : world;
    Graph rendered = r.apply(kept);
    return Optional.of(options.groupBy() == null ? rendered : groupByLabel(rendered, kept, options.groupBy()));
  }

  static Graph processes(Graph world) {
    Graph.Builder b = Graph.builder();
    world.nodes().values().stream()
        .filter(n -> Kinds.PROCESS.equals(n.kind()) || Kinds.REMOTE.equals(n.kind()))
        .forEach(b::node);
    world.edges().values().forEach(b::edge);
    return b.build();
  }

  static Graph processesByName(Graph world) {
    return groupBy(world, n -> {
      if (!Kinds.PROCESS.equals(n.kind())) {
        return Kinds.REMOTE.equals(n.kind()) ? n : null;
      }
      String host = String.valueOf(n.attrs().get("host"));
      String comm = String.valueOf(n.attrs().get("comm"));
      Map<String, Object> attrs = new HashMap<>();
      attrs.put("host", host);
      attrs.put("hostname", n.attrs().get("hostname"));
      attrs.put("comm", comm);
      return new Node(host + ";<name>;" + comm, Kinds.PROCESS_GROUP, comm, attrs);
    });
  }

  /** Every container, plus one "uncontained" node per host for the processes outside them. */
  static Graph containers(Graph world) {
    return groupBy(world, n -> switch (n.kind()) {
      case Kinds.CONTAINER, Kinds.REMOTE -> n;
      case Kinds.PROCESS -> {
        Node container = parent(world, n, "container");
        yield container != null ? container : uncontained(n);
      }
      default -> null;
    });
  }

  static Graph containersByImage(Graph world) {
    return groupContainers(world, c -> {
      Object image = c.attrs().get("image");
      if (image == null) {
        return c;
      }
      String name = imageName(String.valueOf(image));
      return new Node("<image>;" + name, Kinds.CONTAINER_GROUP, name, Map.of("image", name));
    });
  }

  /**
   * By the hostname inside the container: Kubernetes gives every container of a pod the pod's
   * name; Docker's default is the short container id (a hostname set with --hostname is not reported).
   */
  static Graph containersByHostname(Graph world) {
    return groupContainers(world, c -> {
      Object podName = c.attrs().get("podName");
      Object id = c.attrs().get("containerId");
      String hostname = podName != null ? String.valueOf(podName)
          : id == null ? c.label() : String.valueOf(id).substring(0, Math.min(12, String.valueOf(id).length()));
      return new Node("<hostname>;" + hostname, Kinds.CONTAINER_GROUP, hostname, Map.of("containerHostname", hostname));
    });
  }

  static Graph pods(Graph world) {
    return groupByPod(world, pod -> pod);
  }

  /** Pods folded onto the Deployment, StatefulSet, DaemonSet or Job that made them (a bare pod is its own). */
  static Graph workloads(Graph world) {
    return groupByPod(world, pod -> {
      String namespace = String.valueOf(pod.attrs().get("namespace"));
      Workload workload = workloadOf(pod.label(), Labels.of(pod));
      Map<String, Object> attrs = new HashMap<>();
      attrs.put("namespace", namespace);
      attrs.put("workloadKind", workload.kind());
      attrs.put("workload", workload.name());
      return new Node("<workload>;" + namespace + "/" + workload.kind() + "/" + workload.name(), Kinds.WORKLOAD,
          workload.name(), attrs);
    });
  }

  /** Pods folded by the application they serve: {@code app.kubernetes.io/name}, else {@code app}. */
  static Graph services(Graph world) {
    return groupByPod(world, pod -> {
      Map<String, String> labels = Labels.of(pod);
      String app = labels.getOrDefault("app.kubernetes.io/name", labels.get("app"));
      if (app == null) {
        return null;
      }
      String namespace = String.valueOf(pod.attrs().get("namespace"));
      return new Node("<service>;" + namespace + "/" + app, Kinds.SERVICE, app,
          Map.of("namespace", namespace, "service", app));
    });
  }

  static Graph hosts(Graph world) {
    Map<String, Node> hostsById = new HashMap<>();
    world.nodes().values().stream()
        .filter(n -> Kinds.HOST.equals(n.kind()))
        .forEach(n -> hostsById.put(String.valueOf(n.attrs().get("host")), n));
    return groupBy(world, n -> {
      if (Kinds.HOST.equals(n.kind())) {
        return n;
      }
      if (Kinds.PROCESS.equals(n.kind())) {
        return hostsById.get(String.valueOf(n.attrs().get("host")));
      }
      return Kinds.REMOTE.equals(n.kind()) ? n : null;
    });
  }

  /**
   * The workload kind and name of a pod: from the labels its controller sets, else from the
   * name its controller gave it.
   */
  public static Workload workloadOf(String podName, Map<String, String> labels) {
    String job = labels.getOrDefault("batch.kubernetes.io/job-name", labels.get("job-name"));
    if (job != null) {
      return new Workload("job", job);
    }
    String templateHash = labels.get("pod-template-hash");
    if (templateHash != null) {
      int at = podName.lastIndexOf("-" + templateHash + "-");
      if (at > 0) {
        return new Workload("deployment", podName.substring(0, at));
      }
    }
    Matcher m;
    if (labels.containsKey("controller-revision-hash") && labels.containsKey("pod-template-generation")
        && (m = RANDOM_SUFFIX_POD.matcher(podName)).matches()) {
      return new Workload("daemonset", m.group(1));
    }
    // A random suffix may be all digits (24567); an ordinal never fits the random alphabet's shape.
    if ((m = REPLICA_SET_POD.matcher(podName)).matches()) {
      return new Workload("deployment", m.group(1));
    }
    if ((m = STATEFUL_SET_POD.matcher(podName)).matches()) {
      return new Workload("statefulset", m.group(1));
    }
    return new Workload("pod", podName);
  }

  /** What made a pod: {@code kind} is deployment, statefulset, daemonset, job, or pod for a bare one. */
  public record Workload(String kind, String name) {}

  private static String imageName(String image) {
    int digest = image.indexOf('@');
    String name = digest >= 0 ? image.substring(0, digest) : image;
    int colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
  }

  private static Node uncontained(Node process) {
    Object host = process.attrs().get("host");
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("host", host);
    attrs.put("hostname", process.attrs().get("hostname"));
    return new Node(host + ";<uncontained>", Kinds.CONTAINER_GROUP,
        "Uncontained (" + process.attrs().getOrDefault("hostname", host) + ")", attrs);
  }

  /** Containers mapped through {@code groupOf}, their processes with them; uncontained ones per host. */
  private static Graph groupContainers(Graph world, Function<Node, Node> groupOf) {
    Map<String, Node> groups = new HashMap<>();
    return groupBy(world, n -> switch (n.kind()) {
      case Kinds.REMOTE -> n;
      case Kinds.CONTAINER -> groups.computeIfAbsent(n.id(), id -> groupOf.apply(n));
      case Kinds.PROCESS -> {
        Node container = parent(world, n, "container");
        yield container == null ? uncontained(n) : groups.computeIfAbsent(container.id(), id -> groupOf.apply(container));
      }
      default -> null;
    });
  }

  /** Pods mapped through {@code groupOf} (null drops one), with their containers and processes. */
  private static Graph groupByPod(Graph world, Function<Node, Node> groupOf) {
    Map<String, Optional<Node>> groups = new HashMap<>();
    Function<Node, Node> ofPod = pod -> pod == null ? null
        : groups.computeIfAbsent(pod.id(), id -> Optional.ofNullable(groupOf.apply(pod))).orElse(null);
    return groupBy(world, n -> switch (n.kind()) {
      case Kinds.REMOTE -> n;
      case Kinds.POD -> ofPod.apply(n);
      case Kinds.CONTAINER, Kinds.PROCESS -> ofPod.apply(parent(world, n, "pod"));
      default -> null;
    });
  }

  private static Node parent(Graph world, Node n, String attr) {
    Object id = n.attrs().get(attr);
    return id == null ? null : world.node(String.valueOf(id));
  }

  /** A node's labels with those of its container and pod: a process wears its pod's labels. */
  static Map<String, String> labelsOf(Graph world, Node n) {
    Map<String, String> labels = new TreeMap<>();
    Node pod = parent(world, n, "pod");
    if (pod != null) {
      labels.putAll(Labels.of(pod));
    }
    Node container = parent(world, n, "container");
    if (container != null) {
      labels.putAll(Labels.of(container));
    }
    labels.putAll(Labels.of(n));
    return labels;
  }

  /**
   * Keeps the processes, containers and pods that pass the filters, the hosts they run on, the
   * outside nodes they talk to, and the edges between what is kept.
   */
  static Graph filter(Graph world, ViewOptions options) {
    Set<String> kept = new HashSet<>();
    Set<String> hosts = new HashSet<>();
    for (Node n : world.nodes().values()) {
      boolean member = Kinds.PROCESS.equals(n.kind()) || Kinds.CONTAINER.equals(n.kind()) || Kinds.POD.equals(n.kind());
      if (member && passes(world, n, options)) {
        kept.add(n.id());
        hosts.add(String.valueOf(n.attrs().get("host")));
      }
    }
    Graph.Builder b = Graph.builder();
    for (Node n : world.nodes().values()) {
      if (kept.contains(n.id()) || (Kinds.HOST.equals(n.kind()) && hosts.contains(String.valueOf(n.attrs().get("host"))))) {
        b.node(n);
      }
    }
    for (Edge e : world.edges().values()) {
      boolean source = kept.contains(e.source());
      boolean target = kept.contains(e.target());
      Node outside = source ? world.node(e.target()) : world.node(e.source());
      if ((source && target) || ((source || target) && outside != null && Kinds.REMOTE.equals(outside.kind()))) {
        b.edge(e);
        if (!source || !target) {
          b.node(outside);
        }
      }
    }
    return b.build();
  }

  private static boolean passes(Graph world, Node n, ViewOptions options) {
    String namespace = (String) n.attrs().get("namespace");
    if (options.namespace() != null && !options.namespace().equals(namespace)) {
      return false;
    }
    Map<String, String> labels = labelsOf(world, n);
    if (options.selector() != null && !options.selector().matches(labels)) {
      return false;
    }
    boolean contained = !Kinds.PROCESS.equals(n.kind()) || n.attrs().containsKey("container");
    if (options.hide().contains(ViewOptions.Hidden.UNCONTAINED) && !contained) {
      return false;
    }
    return !(options.hide().contains(ViewOptions.Hidden.SYSTEM) && isSystem(world, n, namespace, labels));
  }

  /** Scope's "system containers": kube-system and the pause containers that hold pod namespaces. */
  private static boolean isSystem(Graph world, Node n, String namespace, Map<String, String> labels) {
    if ("kube-system".equals(namespace) || "podsandbox".equals(labels.get("io.kubernetes.docker.type"))) {
      return true;
    }
    Node container = Kinds.CONTAINER.equals(n.kind()) ? n : parent(world, n, "container");
    Object image = container == null ? null : container.attrs().get("image");
    return image != null && imageName(String.valueOf(image)).matches("(.*/)?pause");
  }

  /** Folds the rendered nodes that carry label {@code key} into one node per value. */
  static Graph groupByLabel(Graph rendered, Graph world, String key) {
    return groupBy(rendered, n -> {
      String value = labelsOf(world, n).get(key);
      if (value == null) {
        return n;
      }
      return new Node("<label>;" + key + "=" + value, Kinds.LABEL_GROUP, key + "=" + value,
          Map.of("labelKey", key, "labelValue", value));
    });
  }

  /**
   * Maps each node to a group node (null drops it) and folds edges onto the groups, summing the
   * connections and bytes of the finer edges each group edge stands for. Edges inside one group
   * are dropped.
   */
  static Graph groupBy(Graph world, Function<Node, Node> groupOf) {
    Map<String, Node> groupOfNode = new HashMap<>();
    Map<String, Long> members = new HashMap<>();
    Map<String, Node> groups = new LinkedHashMap<>();
    for (Node n : world.nodes().values()) {
      Node g = groupOf.apply(n);
      if (g == null) {
        continue;
      }
      groupOfNode.put(n.id(), g);
      groups.putIfAbsent(g.id(), g);
      if (!g.id().equals(n.id())) {
        members.merge(g.id(), 1L, Long::sum);
      }
    }
    Graph.Builder b = Graph.builder();
    groups.values().forEach(g -> {
      Long count = members.get(g.id());
      if (count == null) {
        b.node(g);
      } else {
        Map<String, Object> attrs = new HashMap<>(g.attrs());
        attrs.put("members", count);
        b.node(new Node(g.id(), g.kind(), g.label(), attrs));
      }
    });
    Map<String, long[]> edgeTotals = new LinkedHashMap<>();
    Map<String, String[]> edgeEnds = new HashMap<>();
    for (Edge e : world.edges().values()) {
      Node s = groupOfNode.get(e.source());
      Node t = groupOfNode.get(e.target());
      if (s == null || t == null || s.id().equals(t.id())) {
        continue;
      }
      String key = Edge.key(s.id(), t.id());
      edgeEnds.putIfAbsent(key, new String[] {s.id(), t.id()});
      long[] totals = edgeTotals.computeIfAbsent(key, k -> new long[3]);
      totals[0] += e.attrs().get("connections") instanceof Long l ? l : 1L;
      totals[1] += e.attrs().get("bytesSent") instanceof Long l ? l : 0L;
      totals[2] += e.attrs().get("bytesReceived") instanceof Long l ? l : 0L;
    }
    edgeTotals.forEach((key, totals) -> {
      String[] ends = edgeEnds.get(key);
      b.edge(new Edge(ends[0], ends[1],
          Map.of("connections", totals[0], "bytesSent", totals[1], "bytesReceived", totals[2])));
    });
    return b.build();
  }
}
