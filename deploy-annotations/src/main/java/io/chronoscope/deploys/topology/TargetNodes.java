package io.chronoscope.deploys.topology;

import io.chronoscope.deploys.DeployEvent.Target;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A deploy target's nodes in a world graph: its pods (namespace and workload, or the service's
 * {@code app} label), their containers and processes; off Kubernetes, containers named after the
 * service or running its image.
 */
public final class TargetNodes {
  private TargetNodes() {}

  public static Set<String> of(Graph world, Target target) {
    // Hash sets: attributes may be absent, and a TreeSet refuses to look up null.
    Set<String> pods = new HashSet<>();
    Set<String> ids = new TreeSet<>();
    for (Node n : world.nodes().values()) {
      if (Kinds.POD.equals(n.kind()) && podMatches(n, target)) {
        pods.add(n.id());
      }
    }
    ids.addAll(pods);
    Set<String> containers = new HashSet<>();
    for (Node n : world.nodes().values()) {
      if (Kinds.CONTAINER.equals(n.kind())
          && (pods.contains(text(n, "pod")) || (text(n, "pod") == null && containerMatches(n, target)))) {
        containers.add(n.id());
      }
    }
    ids.addAll(containers);
    for (Node n : world.nodes().values()) {
      if (Kinds.PROCESS.equals(n.kind())
          && (pods.contains(text(n, "pod")) || containers.contains(text(n, "container")))) {
        ids.add(n.id());
      }
    }
    return ids;
  }

  private static boolean podMatches(Node pod, Target t) {
    if (t.namespace() != null && !t.namespace().equals(text(pod, "namespace"))) {
      return false;
    }
    Map<String, String> labels = Labels.of(pod);
    String podName = text(pod, "podName") != null ? text(pod, "podName") : pod.label();
    Views.Workload workload = Views.workloadOf(podName, labels);
    if (t.workload() != null) {
      return t.workload().equals(workload.name())
          && (t.workloadKind() == null || !isWorkloadKind(t.workloadKind())
              || t.workloadKind().equalsIgnoreCase(workload.kind()));
    }
    String service = t.service();
    return service.equals(workload.name()) || service.equals(labels.get("app"))
        || service.equals(labels.get("app.kubernetes.io/name"));
  }

  /** Flux and Argo CD name their own objects (kustomization, helmrelease), not the pods' controller. */
  private static boolean isWorkloadKind(String kind) {
    return Set.of("deployment", "statefulset", "daemonset", "job").contains(kind.toLowerCase());
  }

  private static boolean containerMatches(Node c, Target t) {
    String name = t.workload() != null ? t.workload() : t.service();
    String image = text(c, "image");
    String repo = image == null ? "" : image.replaceAll("[@:][^/]*$", "");
    return name.equals(text(c, "name")) || repo.endsWith("/" + name) || repo.equals(name);
  }

  private static String text(Node n, String attr) {
    Object v = n.attrs().get(attr);
    return v == null ? null : v.toString();
  }
}
