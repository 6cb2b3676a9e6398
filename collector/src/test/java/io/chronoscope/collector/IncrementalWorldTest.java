package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The collector's incremental world against a full rebuild from the same reports, tick after tick
 * of a small cluster that churns as hard as it can: hosts come, go silent and come back; pods are
 * replaced and their addresses reused by other pods; the same pod appears on two hosts (once from
 * its pause container); processes exit and their pids are reused; connections open and close
 * across hosts, through a DNAT, on loopback, to addresses of hosts that stopped reporting and to
 * the outside; a host sometimes reports without any change. What lets the caches be trusted.
 */
class IncrementalWorldTest {
  private static final long START = 1_790_000_000_000L;
  private static final long INTERVAL = 1000;

  @RepeatedTest(12)
  void equalsAFullRebuildTickAfterTick(RepetitionInfo repetition) {
    Cluster cluster = new Cluster(new Random(1000 + repetition.getCurrentRepetition()), 7);
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(1));
    Collector collector = new Collector(store, new SimpleMeterRegistry());
    WorldBuilder full = new WorldBuilder();
    Graph expectedBefore = Graph.EMPTY;
    int edgesSeen = 0;
    int crossHostEdges = 0;
    for (int tick = 1; tick <= 120; tick++) {
      long now = START + tick * INTERVAL;
      cluster.step();
      for (Report r : cluster.reports(now)) {
        collector.ingest(r, now);
      }
      ChangeSet changes = collector.tick(now);

      Graph expected = full.build(cluster.live(now));
      assertThat(collector.world()).as("world at tick %d", tick).isEqualTo(expected);
      assertThat(changes).as("changes at tick %d", tick)
          .isEqualTo(ChangeSet.between(now, expectedBefore, expected));
      assertThat(new ArrayList<>(collector.world().nodes().keySet())).as("in id order")
          .isSortedAccordingTo(Comparator.naturalOrder());
      expectedBefore = expected;
      edgesSeen += expected.edges().size();
      crossHostEdges += (int) expected.edges().values().stream()
          .filter(e -> !host(e.source()).equals(host(e.target()))).count();
    }
    assertThat(edgesSeen).as("the cluster made edges").isGreaterThan(500);
    assertThat(crossHostEdges).as("the cluster made edges across hosts").isGreaterThan(100);
  }

  /** A tick whose store write fails is merged again, in full, by the next one. */
  @Test
  void aTickThatWasNotStoredIsMergedInFullByTheNext() throws Exception {
    Cluster cluster = new Cluster(new Random(7), 5);
    MemoryTopologyStore memory = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(1));
    boolean[] failing = {false};
    Collector collector = new Collector(new FailingStore(memory, failing), new SimpleMeterRegistry());
    WorldBuilder full = new WorldBuilder();
    for (int tick = 1; tick <= 40; tick++) {
      long now = START + tick * INTERVAL;
      cluster.step();
      cluster.reports(now).forEach(r -> collector.ingest(r, now));
      failing[0] = tick % 7 == 3;
      try {
        collector.tick(now);
      } catch (IllegalStateException e) {
        assertThat(failing[0]).isTrue();
        continue;
      }
      assertThat(collector.world()).as("world at tick %d", tick).isEqualTo(full.build(cluster.live(now)));
      assertThat(memory.stateAt(now)).isEqualTo(collector.world());
    }
  }

  private static String host(String nodeId) {
    int i = nodeId.indexOf(';');
    return i < 0 ? nodeId : nodeId.substring(0, i);
  }

  /** A store that refuses appends while told to. */
  private record FailingStore(MemoryTopologyStore delegate, boolean[] failing)
      implements io.chronoscope.store.TopologyStore {
    @Override
    public void append(ChangeSet changes) {
      if (failing[0]) {
        throw new IllegalStateException("store down");
      }
      delegate.append(changes);
    }

    @Override
    public Graph stateAt(long at) throws io.chronoscope.store.OutOfRetentionException {
      return delegate.stateAt(at);
    }

    @Override
    public io.chronoscope.store.TimeRange retained() {
      return delegate.retained();
    }

    @Override
    public io.chronoscope.store.StoreStats stats() {
      return delegate.stats();
    }

    @Override
    public void subscribe(java.util.function.Consumer<ChangeSet> listener) {
      delegate.subscribe(listener);
    }

    @Override
    public List<ChangeSet> changes(long from, long to, int maxChanges) throws io.chronoscope.store.OutOfRetentionException {
      return delegate.changes(from, to, maxChanges);
    }

    @Override
    public List<io.chronoscope.store.ChangeCounts> changeCounts(long from, long to, long step) {
      return delegate.changeCounts(from, to, step);
    }

    @Override
    public List<io.chronoscope.store.EntitySpan> search(io.chronoscope.store.EntityQuery query, long from, long to,
        int limit) {
      return delegate.search(query, from, to, limit);
    }
  }

  /** Hosts whose every part changes at random, within a small address space so that things collide. */
  private static final class Cluster {
    private static final int[] SERVICE_PORTS = {80, 5432, 6379};
    private final Random random;
    private final List<SimHost> hosts = new ArrayList<>();
    /** Host id → its last report, as the collector holds them. */
    private final Map<String, Report> latest = new HashMap<>();
    private int nextPodUid;

    Cluster(Random random, int hostCount) {
      this.random = random;
      for (int h = 0; h < hostCount; h++) {
        hosts.add(new SimHost("host-" + (char) ('a' + h), h));
      }
    }

    void step() {
      for (SimHost h : hosts) {
        h.step();
      }
    }

    /** The reports sent this tick: some hosts stay silent, some repeat their last report. */
    List<Report> reports(long now) {
      List<Report> sent = new ArrayList<>();
      for (SimHost h : hosts) {
        if (h.silentFor > 0) {
          h.silentFor--;
          continue;
        }
        if (random.nextInt(12) == 0) {
          h.silentFor = 1 + random.nextInt(5); // up to 5 ticks: gone after 3 missed intervals
        }
        Report last = latest.get(h.id);
        if (last != null && random.nextInt(8) == 0) {
          sent.add(last); // redelivered: the collector keeps what it has
          continue;
        }
        Report r = h.report(now);
        sent.add(r);
        latest.put(r.hostId(), r);
      }
      return sent;
    }

    /** The reports the collector still holds at {@code now}, in host id order. */
    List<Report> live(long now) {
      latest.values().removeIf(r -> now - r.timestamp() > Collector.MISSED_INTERVALS * r.intervalMs());
      List<Report> live = new ArrayList<>(latest.values());
      live.sort(Comparator.comparing(Report::hostId));
      return live;
    }

    String anyPodAddress() {
      SimHost h = hosts.get(random.nextInt(hosts.size()));
      return h.podAddress(random.nextInt(4));
    }

    final class SimHost {
      final String id;
      final int index;
      final String address;
      final List<SimPod> pods = new ArrayList<>();
      final List<Connection> outbound = new ArrayList<>();
      int nextPid = 100;
      int seq;
      int silentFor;
      String hostname;

      SimHost(String id, int index) {
        this.id = id;
        this.index = index;
        this.address = "10.1.0." + (index + 2);
        this.hostname = id + "-name";
        for (int i = 0; i < 3; i++) {
          pods.add(new SimPod(this));
        }
      }

      /** Pod addresses come from a pool of four per host, so a new pod soon reuses an old one's. */
      String podAddress(int slot) {
        return "10.64." + index + "." + (slot + 2);
      }

      void step() {
        if (random.nextInt(4) == 0 && !pods.isEmpty()) {
          pods.remove(random.nextInt(pods.size()));
        }
        while (pods.size() < 2 + random.nextInt(3)) {
          pods.add(new SimPod(this));
        }
        if (random.nextInt(30) == 0) {
          hostname = id + "-renamed-" + random.nextInt(2);
        }
        for (SimPod pod : pods) {
          pod.step();
        }
        outbound.clear();
        int count = random.nextInt(8);
        for (int i = 0; i < count; i++) {
          outbound.add(randomConnection());
        }
      }

      private Connection randomConnection() {
        SimPod client = pods.get(random.nextInt(pods.size()));
        int port = SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
        String remote = switch (random.nextInt(10)) {
          case 0 -> "93.184.216." + random.nextInt(3); // the internet
          case 1 -> "10.200.0." + random.nextInt(3); // private, no reporting host
          case 2 -> "127.0.0.1";
          case 3 -> address.equals("10.1.0.2") ? "10.1.0.3" : "10.1.0.2"; // another host's address
          default -> anyPodAddress();
        };
        Long closedAt = random.nextInt(6) == 0 ? 1L : null;
        return new Connection("tcp", client.address, 40000 + random.nextInt(50), remote, port,
            "ESTABLISHED", client.pid, 0, "sock_diag", client.netns, (long) random.nextInt(100_000),
            (long) random.nextInt(100_000), null, null, null, closedAt);
      }

      Report report(long now) {
        List<ProcessInfo> processes = new ArrayList<>();
        List<Connection> sockets = new ArrayList<>();
        List<ContainerInfo> containers = new ArrayList<>();
        List<NatFlow> nat = new ArrayList<>();
        processes.add(new ProcessInfo(1, 0, 1, 1, "systemd", "/sbin/init", "root", 0, 0, null, null,
            null, 4026531840L, null, null, null));
        processes.add(new ProcessInfo(2, 0, 2, 2, "kthreadd", "", "root", 0, 0));
        processes.add(new ProcessInfo(3, 2, 3, 3, "kworker", "", "root", 0, 0));
        processes.add(new ProcessInfo(50, 1, 50, 50, "sshd", "sshd -D", "root", random.nextDouble(), 0,
            null, null, null, 4026531840L, null, null, null));
        sockets.add(new Connection("tcp", "0.0.0.0", 22, "0.0.0.0", 0, Connection.LISTEN, 50, 0,
            "sock_diag", 4026531840L, null, null, null, null, null, null));
        for (SimPod pod : pods) {
          pod.describe(processes, sockets, containers);
        }
        sockets.addAll(outbound);
        // Answers of servers on this host to clients elsewhere, and a connection through a DNAT.
        for (SimPod pod : pods) {
          if (random.nextInt(3) == 0) {
            sockets.add(new Connection("tcp", pod.address, pod.port, anyPodAddress(), 40000 + random.nextInt(50),
                "ESTABLISHED", pod.pid, 0, "sock_diag", pod.netns, 10L, 20L, null, null, null, null));
          }
          if (random.nextInt(3) == 0) {
            sockets.add(new Connection("tcp", pod.address, pod.port, "203.0.113." + random.nextInt(2), 50000,
                "ESTABLISHED", pod.pid, 0, "sock_diag", pod.netns, 5L, 7L, null, null, null, null));
          }
        }
        if (!pods.isEmpty() && random.nextBoolean()) {
          SimPod client = pods.get(0);
          String backend = anyPodAddress();
          sockets.add(new Connection("tcp", client.address, 45000, "10.96.0.10", 80, "ESTABLISHED",
              client.pid, 0, "sock_diag", client.netns, 1L, 2L, null, null, null, null));
          nat.add(new NatFlow("tcp", new NatFlow.Tuple(client.address, 45000, "10.96.0.10", 80),
              new NatFlow.Tuple(backend, 80, client.address, 45000), "ESTABLISHED", null));
        }
        // Loopback inside the first pod: a client and a server of its own.
        if (!pods.isEmpty() && random.nextBoolean()) {
          SimPod pod = pods.get(0);
          sockets.add(new Connection("tcp", "127.0.0.1", 9000, "0.0.0.0", 0, Connection.LISTEN,
              pod.pid, 0, "sock_diag", pod.netns, null, null, null, null, null, null));
          sockets.add(new Connection("tcp", "127.0.0.1", 41000, "127.0.0.1", 9000, "ESTABLISHED",
              pod.pid + 1, 0, "sock_diag", pod.netns, 3L, 4L, null, null, null, null));
        }
        if (random.nextInt(5) == 0) {
          // A process that exited since the last scan and whose pid is already reused.
          processes.add(new ProcessInfo(50, 1, 49, 49, "old-sshd", "sshd", "root", 0, 0));
        }
        HostInfo info = new HostInfo(hostname, "6.1", "Debian", List.of(address, "10.64." + index + ".1",
            "127.0.0.1"), 4, 1L << 33, random.nextDouble());
        return new Report(id, "probe-" + id, ++seq, now, INTERVAL, info, processes,
            sockets, containers, nat);
      }
    }

    final class SimPod {
      final SimHost host;
      final String address;
      final String containerId;
      final String podUid;
      final long netns;
      final int port;
      final boolean sandboxToo;
      int pid;
      int restarts;

      SimPod(SimHost host) {
        this.host = host;
        this.address = host.podAddress(random.nextInt(4));
        this.containerId = Integer.toHexString(random.nextInt()) + "c";
        // Now and then a pod uid another host's pod has too: the same pod seen twice.
        this.podUid = random.nextInt(8) == 0 ? "shared-" + random.nextInt(2) : "pod-" + nextPodUid++;
        this.netns = 4026532000L + random.nextInt(1000);
        this.port = SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
        this.sandboxToo = random.nextBoolean();
        this.pid = host.nextPid++;
        host.nextPid++;
      }

      void step() {
        if (random.nextInt(10) == 0) {
          restarts++;
          pid = host.nextPid++;
          host.nextPid++;
        }
      }

      void describe(List<ProcessInfo> processes, List<Connection> sockets, List<ContainerInfo> containers) {
        processes.add(new ProcessInfo(pid, 1, pid * 10L, pid * 10L, "server", "server --port " + port,
            "app", random.nextDouble(), 0, null, null, null, netns, containerId, null, null));
        processes.add(new ProcessInfo(pid + 1, pid, pid * 10L + 1, pid * 10L, "worker", "worker",
            "app", random.nextDouble(), 0, null, null, null, netns, containerId, null, null));
        sockets.add(new Connection("tcp", random.nextInt(3) == 0 ? "0.0.0.0" : address, port,
            "0.0.0.0", 0, Connection.LISTEN, pid, 0, "sock_diag", netns, null, null, null, null, null, null));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.kubernetes.pod.name", "pod-" + podUid);
        labels.put("io.kubernetes.pod.namespace", "shop");
        labels.put("io.kubernetes.pod.uid", podUid);
        labels.put("app", "svc-" + port);
        labels.put("restarts", Integer.toString(restarts));
        containers.add(new ContainerInfo(containerId, "docker", "k8s_" + containerId, "img:" + port,
            labels, "running", pid, List.of(address), List.of(), null, null, null, random.nextDouble(), 1L));
        if (sandboxToo) {
          Map<String, String> pause = new LinkedHashMap<>(labels);
          pause.put("io.kubernetes.docker.type", "podsandbox");
          pause.put("sandbox-of", host.id);
          containers.add(new ContainerInfo(containerId + "-pause", "docker", null, "pause:3.9", pause,
              "running", null, List.of(address), List.of(), null, null, null, null, null));
        }
      }
    }
  }

  @Test
  void theClusterHasPodsOnTwoHostsAndPseudoNodes() {
    Cluster cluster = new Cluster(new Random(3), 7);
    Map<String, Integer> kinds = new HashMap<>();
    for (int tick = 1; tick <= 30; tick++) {
      long now = START + tick * INTERVAL;
      cluster.step();
      cluster.reports(now);
      new WorldBuilder().build(cluster.live(now)).nodes().values()
          .forEach(n -> kinds.merge(n.kind(), 1, Integer::sum));
    }
    assertThat(kinds).containsKeys(Kinds.HOST, Kinds.POD, Kinds.CONTAINER, Kinds.PROCESS, Kinds.REMOTE);
  }
}
