package io.chronoscope.probe;

import io.chronoscope.model.ProcessInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ProcessTable} does not read: open fds (counted by {@link SocketOwners}'s fd walk),
 * cgroup, network namespace and container of each process, plus the processes that exited since
 * the last scan ({@link ProcConnector}). Cgroup and namespace are cached per (pid, start time)
 * and re-read only when the process exec'd (its comm changed): runtimes place a process in its
 * cgroup and namespaces before they exec the container's command.
 */
final class ProcessDetails {

  private final Path procRoot;
  private final long hostNetNamespace;
  private final Map<Integer, Placement> placements = new HashMap<>();
  private long generation;

  ProcessDetails(Path procRoot) {
    this.procRoot = procRoot;
    // pid 1's namespace is the host's; where it is hidden from us (a sandbox, no
    // CAP_SYS_PTRACE) the probe's own stands in: probes run with the host's network
    Long host = namespaceInode(procRoot.resolve("1/ns/net"));
    if (host == null) {
      host = namespaceInode(procRoot.resolve("self/ns/net"));
    }
    this.hostNetNamespace = host != null ? host : -1;
  }

  /** Inode of the host's network namespace (pid 1's, else ours), or -1 when unreadable. */
  long hostNetNamespace() {
    return hostNetNamespace;
  }

  /**
   * The walked processes with fds, cgroup, namespace and container filled in, followed by the
   * processes in {@code exited} that the walk did not see alive. A process in both (it exited
   * after the walk read it) is reported once, as exited, with the walk's CPU, memory and fds.
   */
  List<ProcessInfo> complete(List<ProcessInfo> walked, SocketOwners owners,
      List<ProcessInfo> exited) {
    generation++;
    Map<Long, ProcessInfo> exitedByKey = new HashMap<>();
    for (ProcessInfo process : exited) {
      exitedByKey.put(key(process.pid(), process.startTime()), process);
    }
    List<ProcessInfo> result = new ArrayList<>(walked.size() + exited.size());
    for (ProcessInfo process : walked) {
      int fds = owners.openFds(process.pid());
      Placement placement = placementOf(process);
      ProcessInfo gone = exitedByKey.isEmpty() ? null
          : exitedByKey.remove(key(process.pid(), process.startTime()));
      Integer openFds = fds >= 0 ? fds : null;
      // The walk hands back the very same record for an unchanged process: so is this one.
      if (gone == null && placement.walked == process
          && java.util.Objects.equals(placement.completed.openFds(), openFds)) {
        result.add(placement.completed);
        continue;
      }
      placement.walked = process;
      result.add(placement.completed = new ProcessInfo(process.pid(), process.ppid(), process.startTime(),
          process.startedAt(), process.comm(), process.cmdline(), process.user(),
          process.cpuPercent(), process.rssBytes(), process.threads(),
          fds >= 0 ? fds : null, placement.cgroup, placement.netNamespace, placement.containerId,
          gone == null ? null : gone.exitedAt(), gone == null ? null : gone.exitCode()));
    }
    placements.values().removeIf(p -> p.generation != generation);
    for (ProcessInfo process : exited) {
      if (exitedByKey.containsKey(key(process.pid(), process.startTime()))) {
        result.add(process);
      }
    }
    return result;
  }

  private Placement placementOf(ProcessInfo process) {
    Placement known = placements.get(process.pid());
    if (known == null || known.startTime != process.startTime()
        || !known.comm.equals(process.comm())) {
      known = read(process);
      placements.put(process.pid(), known);
    }
    known.generation = generation;
    return known;
  }

  private Placement read(ProcessInfo process) {
    Path dir = procRoot.resolve(Integer.toString(process.pid()));
    String cgroup = null;
    try {
      cgroup = ContainerIds.pathOf(
          new String(Files.readAllBytes(dir.resolve("cgroup")), StandardCharsets.UTF_8));
    } catch (IOException gone) {
      // exited since the walk: the next scan forgets it
    }
    Long netns = namespaceInode(dir.resolve("ns/net"));
    ContainerIds.ContainerRef container = ContainerIds.of(cgroup,
        netns != null && hostNetNamespace != -1 && netns != hostNetNamespace);
    return new Placement(process.startTime(), process.comm(), cgroup, netns,
        container == null ? null : container.id());
  }

  /** The inode in a namespace link such as {@code net:[4026531840]}, or null when unreadable. */
  static Long namespaceInode(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException gone) {
      return null;
    }
    int open = target.indexOf(":[");
    if (open < 0 || !target.endsWith("]")) {
      return null;
    }
    try {
      return Long.parseLong(target.substring(open + 2, target.length() - 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long key(int pid, long startTime) {
    return startTime * 4_194_304L + pid; // pids stay below 2^22 (pid_max limit)
  }

  /** Where one process lives; fixed from exec to exit. */
  private static final class Placement {
    final long startTime;
    final String comm;
    final String cgroup;
    final Long netNamespace;
    ProcessInfo walked; // the walk's record the last completed one was made from
    ProcessInfo completed;
    final String containerId;
    long generation;

    Placement(long startTime, String comm, String cgroup, Long netNamespace, String containerId) {
      this.startTime = startTime;
      this.comm = comm;
      this.cgroup = cgroup;
      this.netNamespace = netNamespace;
      this.containerId = containerId;
    }
  }
}
