package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Report;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectorTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
  private final Collector collector = new Collector(store, registry);

  @Test
  void storesEachTickSoThePastCanBeAskedFor() throws Exception {
    Reports h = Reports.host("h1").process(10, "client").process(20, "server").listen(20, "127.0.0.1", 9000);
    collector.ingest(h.at(1000), 1000);
    collector.tick(1000);
    collector.ingest(h.connect(10, "127.0.0.1", 50000, "127.0.0.1", 9000).at(2000), 2000);
    collector.tick(2000);

    assertThat(store.stateAt(1500).edges()).isEmpty();
    assertThat(store.stateAt(2000).edges()).hasSize(1);
    assertThat(registry.counter("chronoscope.reports.received").count()).isEqualTo(2);
  }

  /** A store that kept history across a restart: what vanished meanwhile must not linger. */
  @Test
  void aRestartedCollectorDiffsAgainstTheStoredHead() throws Exception {
    collector.ingest(Reports.host("h1").process(10, "old").process(20, "kept").at(1000), 1000);
    collector.tick(1000);
    Collector restarted = new Collector(store, new SimpleMeterRegistry());

    restarted.ingest(Reports.host("h1").process(20, "kept").process(30, "new").at(5000), 5000);
    ChangeSet first = restarted.tick(5000);

    assertThat(first.removedNodes()).extracting(n -> n.label()).containsExactly("old");
    assertThat(first.addedNodes()).extracting(n -> n.label()).containsExactly("new");
    assertThat(store.stateAt(5000).nodes().values()).extracting(n -> n.label())
        .containsExactlyInAnyOrder("h1-name", "kept", "new");
  }

  @Test
  void forgetsAHostThatStoppedReporting() {
    collector.ingest(Reports.host("h1").process(10, "a").at(1000), 1000);
    collector.tick(1000);
    assertThat(collector.world().nodes()).isNotEmpty();
    collector.tick(1000 + 3 * 1000 + 1);
    assertThat(collector.world().nodes()).isEmpty();
  }

  @Test
  void refusesDuplicatesAndReportsNamingTheField() {
    Report r = Reports.host("h1").process(10, "a").at(1000);
    collector.ingest(r, 1000);
    collector.ingest(r, 1000);
    assertThat(registry.counter("chronoscope.reports.rejected").count()).isEqualTo(1);

    Report future = Reports.host("h2").at(1000 + 3_600_000);
    assertThatThrownBy(() -> collector.ingest(future, 1000))
        .isInstanceOf(InvalidReportException.class)
        .hasMessageContaining("timestamp");
    Report noHost = new Report(" ", "p", 1, 1000, 1000, null, null, null);
    assertThatThrownBy(() -> collector.ingest(noHost, 1000)).hasMessageContaining("hostId");
  }

  @Test
  void aRestartedCollectorGivenTheSameReportsStoresNoChange() throws Exception {
    Reports h = Reports.host("h1").process(10, "client").process(20, "server").listen(20, "127.0.0.1", 9000)
        .connect(10, "127.0.0.1", 50000, "127.0.0.1", 9000);
    Report r = h.at(1000);
    collector.ingest(r, 1000);
    collector.tick(1000);
    long deltas = store.stats().deltas();

    Collector restarted = new Collector(store, new SimpleMeterRegistry());
    restarted.ingest(r, 2000);
    assertThat(restarted.tick(2000).isEmpty()).as("nothing changed since the stored head").isTrue();
    assertThat(store.stats().deltas()).isEqualTo(deltas);
    assertThat(store.stateAt(2000)).isEqualTo(store.stateAt(1000));
  }

  @Test
  void answersTheWaitingOnlyOnceTheirReportsAreStored() throws Exception {
    List<Long> storedHeads = new ArrayList<>();
    collector.ingest(Reports.host("h1").process(10, "a").at(1000), 1000);
    collector.runAfterNextStore(() -> storedHeads.add(store.retained().to()));
    assertThat(storedHeads).isEmpty();
    collector.tick(1000);
    assertThat(storedHeads).containsExactly(1000L);
    collector.tick(2000);
    assertThat(storedHeads).as("answered once").containsExactly(1000L);
  }
}
