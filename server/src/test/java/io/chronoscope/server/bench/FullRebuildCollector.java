package io.chronoscope.server.bench;

import io.chronoscope.collector.WorldBuilder;
import io.chronoscope.model.Report;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector's tick as it was before the ingest work of issue 4, kept as the benchmark's
 * baseline: every tick rebuilds the whole world from every host's latest report and diffs it
 * whole against the previous one. Validation is left out; it costs next to nothing.
 */
final class FullRebuildCollector {
  private final TopologyStore store;
  private final WorldBuilder builder = new WorldBuilder();
  private final Map<String, Report> latestByHost = new HashMap<>();
  private Graph world = Graph.EMPTY;

  FullRebuildCollector(TopologyStore store) {
    this.store = store;
  }

  void ingest(Report report) {
    Report previous = latestByHost.get(report.hostId());
    if (previous == null || previous.seq() < report.seq()) {
      latestByHost.put(report.hostId(), report);
    }
  }

  ChangeSet tick(long now) {
    latestByHost.values().removeIf(r -> now - r.timestamp() > 3 * r.intervalMs());
    List<Report> merged = new ArrayList<>(latestByHost.values());
    merged.sort(Comparator.comparing(Report::hostId));
    Graph next = builder.build(merged);
    ChangeSet changes = ChangeSet.between(now, world, next);
    store.append(changes);
    world = next;
    return changes;
  }

  Graph world() {
    return world;
  }
}
