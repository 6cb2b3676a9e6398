package io.chronoscope.collector;

import io.chronoscope.model.Report;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the latest report of every host and, once per tick, merges them into the world graph,
 * diffs it against the previous tick and appends the change set to the store.
 *
 * <p>A report is turned into its host's {@link HostFragment} as it arrives, and a tick merges
 * only what changed since the last one ({@link IncrementalWorld}): its cost follows the hosts that
 * reported, not the size of the world. The world equals {@link WorldBuilder#build} over the live
 * reports in host id order.
 */
public final class Collector {
  /** A host whose latest report is older than this many intervals is gone. */
  static final int MISSED_INTERVALS = 3;
  /** Reports stamped further than this into the future are rejected: a wrong clock would corrupt history. */
  static final long MAX_CLOCK_SKEW_MS = 60_000;

  private final TopologyStore store;
  private final IncrementalWorld incremental;
  private final Map<String, HostFragment> latestByHost = new ConcurrentHashMap<>();
  private final Queue<Runnable> afterNextStore = new ConcurrentLinkedQueue<>();
  private final List<TickListener> tickListeners = new CopyOnWriteArrayList<>();
  private final Counter received;
  private final Counter rejected;
  private final Timer tickDuration;
  private volatile Graph world = Graph.EMPTY;
  /** Whether {@link #incremental} holds what {@link #world} was made of; only the tick reads it. */
  private boolean inSync;

  public Collector(TopologyStore store, MeterRegistry registry) {
    this(store, registry, EndpointIndex.NONE);
  }

  /**
   * Starts from the store's head, so a restarted collector that is given the same reports again
   * stores no change.
   *
   * @param elsewhere listening endpoints of hosts that report to other collectors
   */
  public Collector(TopologyStore store, MeterRegistry registry, EndpointIndex elsewhere) {
    this.store = store;
    this.incremental = new IncrementalWorld(elsewhere);
    this.world = head(store);
    this.inSync = world.isEmpty();
    this.received = Counter.builder("chronoscope.reports.received")
        .description("Reports accepted from probes").register(registry);
    this.rejected = Counter.builder("chronoscope.reports.rejected")
        .description("Reports refused: invalid, duplicate or out of order").register(registry);
    this.tickDuration = Timer.builder("chronoscope.collector.tick")
        .description("Time to merge reports, diff and store one tick").register(registry);
    Gauge.builder("chronoscope.graph.nodes", this, c -> c.world.nodes().size())
        .description("Nodes in the live world graph").register(registry);
    Gauge.builder("chronoscope.graph.edges", this, c -> c.world.edges().size())
        .description("Edges in the live world graph").register(registry);
    Gauge.builder("chronoscope.store.elements", store, s -> s.stats().storedElements())
        .description("Nodes, edges and changes held by the store").register(registry);
    Gauge.builder("chronoscope.store.keyframes", store, s -> s.stats().keyframes())
        .description("Keyframes held by the store").register(registry);
  }

  private static Graph head(TopologyStore store) {
    TimeRange retained = store.retained();
    if (retained.isEmpty()) {
      return Graph.EMPTY;
    }
    try {
      return store.stateAt(retained.to());
    } catch (OutOfRetentionException e) {
      throw new IllegalStateException("the store cannot give its own head at " + retained.to(), e);
    }
  }

  /** Told after every stored tick which reports it merged. */
  @FunctionalInterface
  public interface TickListener {
    void stored(Collection<Report> merged, ChangeSet changes);
  }

  public void addTickListener(TickListener listener) {
    tickListeners.add(listener);
  }

  /**
   * Runs {@code action} once the store holds a tick that merged every report ingested before this
   * call: how a transport learns that what it delivered is safe to acknowledge.
   */
  public void runAfterNextStore(Runnable action) {
    afterNextStore.add(action);
  }

  /**
   * Accepts a report unless it is invalid or not newer than the host's latest.
   *
   * @throws InvalidReportException naming the field that is wrong
   */
  public void ingest(Report report, long now) {
    try {
      validate(report, now);
    } catch (InvalidReportException e) {
      rejected.increment();
      throw e;
    }
    HostFragment previous = latestByHost.get(report.hostId());
    if (isReplay(previous, report)) {
      rejected.increment();
      return;
    }
    // Made before the host's entry is locked: reports of other hosts are not held up by it.
    HostFragment fragment;
    try {
      fragment = HostFragment.of(report, previous);
    } catch (RuntimeException e) {
      // What no merge can take (a container without an id, a socket without an address) is
      // refused here rather than failing every tick until the host ages out.
      rejected.increment();
      throw new InvalidReportException("report", "cannot be merged into the world: " + e);
    }
    boolean[] accepted = {false};
    latestByHost.compute(report.hostId(), (host, latest) -> {
      if (isReplay(latest, report)) {
        return latest;
      }
      accepted[0] = true;
      return fragment;
    });
    if (accepted[0]) {
      received.increment();
    } else {
      rejected.increment();
    }
  }

  /** Not newer than the host's latest report from the same probe. */
  private static boolean isReplay(HostFragment latest, Report report) {
    return latest != null && latest.report.probeId().equals(report.probeId())
        && latest.report.seq() >= report.seq();
  }

  private static void validate(Report r, long now) {
    if (r == null) {
      throw new InvalidReportException("report", "missing");
    }
    if (r.hostId() == null || r.hostId().isBlank()) {
      throw new InvalidReportException("hostId", "must not be blank");
    }
    if (r.probeId() == null || r.probeId().isBlank()) {
      throw new InvalidReportException("probeId", "must not be blank");
    }
    if (r.intervalMs() <= 0) {
      throw new InvalidReportException("intervalMs", "must be positive, was " + r.intervalMs());
    }
    if (r.timestamp() > now + MAX_CLOCK_SKEW_MS) {
      throw new InvalidReportException("timestamp",
          "is " + (r.timestamp() - now) + " ms in the future; check the probe host's clock");
    }
  }

  /**
   * Lets go of a host another collector owns now, so it is not drawn here too until its last
   * report ages out; the next tick removes it.
   */
  public void forget(String hostId) {
    latestByHost.remove(hostId);
  }

  /** Merges the live hosts' reports into the world graph and stores what changed. */
  public synchronized ChangeSet tick(long now) {
    return tickDuration.record(() -> {
      // Taken before the reports are read: each waits for reports ingested before it was queued.
      List<Runnable> waiting = new ArrayList<>();
      for (Runnable r; (r = afterNextStore.poll()) != null; ) {
        waiting.add(r);
      }
      latestByHost.values().removeIf(f -> now - f.report.timestamp() > MISSED_INTERVALS * f.report.intervalMs());
      Map<String, HostFragment> live = new HashMap<>(latestByHost);
      List<Report> merged = new ArrayList<>(live.size());
      live.values().forEach(f -> merged.add(f.report));
      ChangeSet changes;
      try {
        // Out of sync until stored: a tick that fails half way merges everything anew next time.
        boolean wasInSync = inSync;
        inSync = false;
        IncrementalWorld.Step step = incremental.advance(now, world, live, wasInSync);
        changes = step.changes();
        store.append(changes);
        world = step.world();
        inSync = true;
      } catch (RuntimeException e) {
        // Not stored: the next tick merges these reports again, in full, and answers the waiting then.
        afterNextStore.addAll(waiting);
        throw e;
      }
      waiting.forEach(Runnable::run);
      List<Report> told = Collections.unmodifiableList(merged);
      tickListeners.forEach(l -> l.stored(told, changes));
      return changes;
    });
  }

  public Graph world() {
    return world;
  }
}
