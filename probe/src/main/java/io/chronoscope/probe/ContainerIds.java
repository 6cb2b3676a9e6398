package io.chronoscope.probe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container ids from cgroup paths, the only trace every runtime leaves whatever its API. Pure
 * string parsing: which cgroup line to use is {@link #pathOf}, what the path means is
 * {@link #of}.
 *
 * <p>Known layouts (cgroup v1 and v2 alike, cgroupfs and systemd drivers):
 * <ul>
 *   <li>Docker: {@code /docker/<64hex>}, {@code /system.slice/docker-<64hex>.scope}</li>
 *   <li>containerd: {@code cri-containerd-<64hex>.scope}, {@code /kubepods/<qos>/pod<uid>/<64hex>}
 *       (cgroupfs driver; the path does not name the CRI runtime, containerd is the usual one)</li>
 *   <li>CRI-O: {@code crio-<64hex>.scope} ({@code crio-conmon-*} is its monitor, not a container)</li>
 *   <li>Podman: {@code libpod-<64hex>.scope}, {@code /libpod_parent/libpod-<64hex>}
 *       ({@code libpod-conmon-*} is the monitor)</li>
 *   <li>LXC: {@code /lxc/<name>}, {@code /lxc.payload.<name>}</li>
 * </ul>
 * Kubernetes pod uids come from {@code pod<uid>} or {@code kubepods-<qos>-pod<uid>.slice}
 * (systemd writes the uid's dashes as underscores).
 *
 * <p>Unknown runtimes: a process whose cgroup matches none of these is in a container of runtime
 * {@code unknown}, named by the last path component, when both hold: its cgroup leaf is not the
 * root and not a systemd unit or slice ({@code .service}, {@code .scope}, {@code .slice}, ...),
 * and it runs in a network namespace other than the host's (pid 1's, or the probe's own where
 * pid 1's cannot be read). Either alone is common
 * outside containers (a cgroup made by hand for resource limits; {@code ip netns exec}), both
 * together is what every container runtime does.
 */
final class ContainerIds {
  private static final String HEX64 = "([0-9a-f]{64})";
  private static final Pattern SCOPE = Pattern.compile(
      "(docker|cri-containerd|crio|libpod)-" + HEX64 + "\\.scope");
  private static final Pattern HEX_ID = Pattern.compile(HEX64);
  private static final Pattern POD = Pattern.compile(
      "(?:kubepods(?:-[a-z]+)*-)?pod([0-9a-fA-F_-]{16,})(?:\\.slice)?");
  private static final String[] SYSTEMD_SUFFIXES = {
      ".service", ".scope", ".slice", ".mount", ".socket", ".swap", ".target", ".device"};

  private ContainerIds() {}

  /**
   * A container found in a cgroup path.
   *
   * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, {@code lxc}
   *                or {@code unknown}
   * @param podUid  Kubernetes pod uid, or null outside Kubernetes
   * @param cgroup  the container's own cgroup: the path up to the component naming it (processes
   *                may sit in sub-cgroups below it)
   */
  record ContainerRef(String runtime, String id, String podUid, String cgroup) {}

  /**
   * The container a cgroup path belongs to, or null for none. {@code ownNetNamespace} says the
   * process is in a network namespace other than the host's (see the class comment).
   */
  static ContainerRef of(String cgroupPath, boolean ownNetNamespace) {
    if (cgroupPath == null || cgroupPath.isEmpty() || cgroupPath.equals("/")) {
      return null;
    }
    String[] parts = cgroupPath.split("/");
    String podUid = null;
    int end = 0; // index in cgroupPath just past the current component
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      end += (i == 0 ? 0 : 1) + part.length();
      if (part.isEmpty()) {
        continue;
      }
      String parent = i > 0 ? parts[i - 1] : "";
      Matcher scope = SCOPE.matcher(part);
      if (scope.matches()) {
        return new ContainerRef(runtimeOfPrefix(scope.group(1)), scope.group(2), podUid,
            cgroupPath.substring(0, end));
      }
      Matcher pod = POD.matcher(part);
      if (parentIsKubepods(parts, i) && pod.matches()) {
        podUid = pod.group(1).replace('_', '-');
        continue;
      }
      if (HEX_ID.matcher(part).matches()) {
        String runtime = parent.equals("docker") ? "docker"
            : podUid != null ? "containerd"
            : null;
        if (runtime != null) {
          return new ContainerRef(runtime, part, podUid, cgroupPath.substring(0, end));
        }
      }
      if (part.startsWith("libpod-") && !part.startsWith("libpod-conmon-")
          && parent.equals("libpod_parent")) {
        return new ContainerRef("podman", part.substring("libpod-".length()), podUid,
            cgroupPath.substring(0, end));
      }
      if (part.startsWith("lxc.payload.") && part.length() > "lxc.payload.".length()) {
        return new ContainerRef("lxc", part.substring("lxc.payload.".length()), podUid,
            cgroupPath.substring(0, end));
      }
      if (parent.equals("lxc") && i == 2) {
        return new ContainerRef("lxc", part, podUid, cgroupPath.substring(0, end));
      }
    }
    if (ownNetNamespace) {
      String leaf = parts[parts.length - 1];
      if (!leaf.isEmpty() && !isSystemdUnit(leaf)) {
        return new ContainerRef("unknown", leaf, podUid, cgroupPath);
      }
    }
    return null;
  }

  /**
   * The path to read from a /proc/PID/cgroup file: the only line on a pure cgroup v2 host; else
   * the first non-root path of the v1 hierarchies cpuacct, memory, name=systemd, cpu (the ones
   * runtimes always place containers in, and the ones {@link CgroupStats} reads), else the v2
   * line of a hybrid host. "/" when the process sits in the root everywhere.
   */
  static String pathOf(String procCgroup) {
    String[] preferred = {"cpuacct", "memory", "name=systemd", "cpu"};
    String[] found = new String[preferred.length];
    String unified = null;
    for (String line : procCgroup.split("\n")) {
      // "4:memory:/docker/abc" or "0::/system.slice/x.service"; paths may hold ':' themselves
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        continue;
      }
      String controllers = line.substring(first + 1, second);
      String path = line.substring(second + 1).strip();
      if (controllers.isEmpty()) {
        unified = path;
        continue;
      }
      for (String controller : controllers.split(",")) {
        for (int k = 0; k < preferred.length; k++) {
          if (preferred[k].equals(controller) && found[k] == null) {
            found[k] = path;
          }
        }
      }
    }
    for (String path : found) {
      if (path != null && !path.equals("/")) {
        return path;
      }
    }
    return unified != null ? unified : "/";
  }

  private static boolean parentIsKubepods(String[] parts, int i) {
    for (int k = 0; k < i; k++) {
      if (parts[k].startsWith("kubepods")) {
        return true;
      }
    }
    return parts[i].startsWith("kubepods");
  }

  private static String runtimeOfPrefix(String prefix) {
    return switch (prefix) {
      case "docker" -> "docker";
      case "cri-containerd" -> "containerd";
      case "crio" -> "cri-o";
      default -> "podman";
    };
  }

  private static boolean isSystemdUnit(String name) {
    for (String suffix : SYSTEMD_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }
}
