package io.chronoscope.probe;

import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ProcessInfo;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Container CPU and memory from their cgroups: cgroup v2 {@code cpu.stat} usage_usec and
 * {@code memory.current}, else v1 {@code cpuacct.usage} and {@code memory.usage_in_bytes}
 * (hybrid hosts mount both; a v1 controller is used where it is mounted, since there the v2
 * tree has no controllers). Where each hierarchy is mounted comes from /proc/self/mounts.
 */
final class CgroupStats {
  private final Path unified;
  private final Path cpuacct;
  private final Path memory;
  private final ProcReader reader = new ProcReader(4096);
  private final Map<String, Usage> previous = new HashMap<>();

  CgroupStats(Path mounts) {
    Path v2 = null;
    Path v1Cpu = null;
    Path v1Memory = null;
    try {
      for (String line : Files.readAllLines(mounts)) {
        String[] f = line.split(" "); // device mountpoint type options 0 0
        if (f.length < 4) {
          continue;
        }
        if (f[2].equals("cgroup2") && v2 == null) {
          v2 = Path.of(f[1]);
        } else if (f[2].equals("cgroup")) {
          for (String option : f[3].split(",")) {
            if (option.equals("cpuacct") && v1Cpu == null) {
              v1Cpu = Path.of(f[1]);
            } else if (option.equals("memory") && v1Memory == null) {
              v1Memory = Path.of(f[1]);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read mounts from " + mounts, e);
    }
    this.unified = v2;
    this.cpuacct = v1Cpu;
    this.memory = v1Memory;
  }

  /** Human line for {@code Probe.explain()}: which hierarchies are read. */
  String describe() {
    return "container CPU/memory: cgroup v2 at " + (unified == null ? "(not mounted)" : unified)
        + ", v1 cpuacct at " + (cpuacct == null ? "(not mounted)" : cpuacct)
        + ", v1 memory at " + (memory == null ? "(not mounted)" : memory);
  }

  /**
   * One {@link ContainerInfo} per container id in {@code processes} (id, runtime, pod uid, lowest
   * pid, CPU % of one core since the previous call, memory in bytes), ordered by id. Names,
   * images and the rest come from the runtime's API, merged in by id elsewhere.
   */
  List<ContainerInfo> containersFromCgroups(List<ProcessInfo> processes) {
    Map<String, ContainerIds.ContainerRef> refs = new TreeMap<>();
    Map<String, Integer> lowestPid = new HashMap<>();
    for (ProcessInfo process : processes) {
      String id = process.containerId();
      if (id == null || process.exitedAt() != null) {
        continue;
      }
      lowestPid.merge(id, process.pid(), Math::min);
      refs.computeIfAbsent(id, unused -> {
        ContainerIds.ContainerRef known = ContainerIds.of(process.cgroup(), false);
        return known != null && known.id().equals(id) ? known
            : new ContainerIds.ContainerRef("unknown", id, null, process.cgroup());
      });
    }
    long now = System.nanoTime();
    List<ContainerInfo> containers = new ArrayList<>(refs.size());
    Map<String, Usage> seen = new HashMap<>();
    for (ContainerIds.ContainerRef ref : refs.values()) {
      Long cpuNanos = cpuNanos(ref.cgroup());
      Double cpuPercent = null;
      Usage before = previous.get(ref.cgroup());
      if (cpuNanos != null) {
        if (before != null && now > before.readAt && cpuNanos >= before.cpuNanos) {
          cpuPercent = (cpuNanos - before.cpuNanos) * 100.0 / (now - before.readAt);
        }
        seen.put(ref.cgroup(), new Usage(cpuNanos, now));
      }
      containers.add(new ContainerInfo(ref.id(), ref.runtime(), null, null, null, null,
          lowestPid.get(ref.id()), null, null, ref.podUid(), null, null, cpuPercent,
          memoryBytes(ref.cgroup())));
    }
    previous.clear();
    previous.putAll(seen);
    return containers;
  }

  /** CPU time used by the cgroup in ns, or null where no hierarchy has it. */
  Long cpuNanos(String cgroup) {
    if (cpuacct != null) {
      Long usage = number(cpuacct, cgroup, "cpuacct.usage", null);
      if (usage != null) {
        return usage;
      }
    }
    if (unified != null) {
      Long micros = number(unified, cgroup, "cpu.stat", "usage_usec");
      if (micros != null) {
        return micros * 1000;
      }
    }
    return null;
  }

  /** Memory charged to the cgroup in bytes, or null where no hierarchy has it. */
  Long memoryBytes(String cgroup) {
    if (memory != null) {
      Long usage = number(memory, cgroup, "memory.usage_in_bytes", null);
      if (usage != null) {
        return usage;
      }
    }
    return unified == null ? null : number(unified, cgroup, "memory.current", null);
  }

  /** The file's first number, or the number after {@code key} on its line; null if absent. */
  private Long number(Path root, String cgroup, String file, String key) {
    if (cgroup == null || cgroup.contains("..")) {
      return null;
    }
    int length;
    try {
      length = reader.read(new File(root.toFile(), cgroup + "/" + file));
    } catch (IOException absent) {
      return null;
    }
    String text = new String(reader.bytes(), 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    if (key != null) {
      int at = text.startsWith(key + " ") ? 0 : text.indexOf("\n" + key + " ");
      if (at < 0) {
        return null;
      }
      text = text.substring(text.indexOf(' ', at + 1) + 1);
    }
    int end = 0;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return end == 0 ? null : Long.parseLong(text.substring(0, end));
  }

  private record Usage(long cpuNanos, long readAt) {}
}
