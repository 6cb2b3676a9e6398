package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A container on the host. Ids come from cgroup paths (any runtime); names, images, labels, IPs
 * and ports from the runtime's API when the probe can reach it.
 *
 * @param runtime    {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, or
 *                   {@code unknown} for a cgroup that looks like a container but no runtime owns
 * @param pid        pid of the container's init process on the host, when known
 * @param podUid     Kubernetes pod uid from labels {@code io.kubernetes.pod.uid}, else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerInfo(
    String id,
    String runtime,
    String name,
    String image,
    Map<String, String> labels,
    String state,
    Integer pid,
    List<String> ips,
    List<PortMapping> ports,
    String podUid,
    String podName,
    String podNamespace,
    Double cpuPercent,
    Long memoryBytes) {

  public ContainerInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    ips = ips == null ? List.of() : List.copyOf(ips);
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** A published port: {@code hostIp:hostPort -> containerPort/protocol}. */
  public record PortMapping(String protocol, String hostIp, int hostPort, int containerPort) {}
}
