package io.chronoscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TopologyStore} backend must do, as users see it: the graph at any instant
 * inside retention is the one appended, whatever mix of keyframes and deltas holds it. A backend's
 * test extends this class and supplies {@link #newStore}; the suite closes the stores it opened.
 * Published in topology-store's test-jar so backends in other modules run the same suite.
 */
public abstract class TopologyStoreContract {
  /** 2023-11-14T22:13:20Z: any fixed instant; ticks are stamped from here. */
  protected static final long T0 = 1_700_000_000_000L;

  private final List<TopologyStore> opened = new ArrayList<>();

  /**
   * A store that holds nothing yet, with these settings. Called once per test, or more often by
   * tests that need two stores; each call must give an empty store.
   */
  protected abstract TopologyStore newStore(Duration retention, Duration keyframeInterval)
      throws Exception;

  @AfterEach
  void closeStores() throws Exception {
    for (TopologyStore store : opened) {
      store.close();
    }
    opened.clear();
  }

  protected final TopologyStore open(Duration retention, Duration keyframeInterval) throws Exception {
    TopologyStore store = newStore(retention, keyframeInterval);
    opened.add(store);
    return store;
  }

  /** Appends {@code ticks} ticks of {@code world}, {@code stepMs} apart, and returns each tick's graph. */
  protected static List<Graph> feed(TopologyStore store, ChurningWorld world, int ticks, long stepMs) {
    List<Graph> states = new ArrayList<>();
    Graph previous = Graph.EMPTY;
    for (int i = 0; i < ticks; i++) {
      long at = T0 + i * stepMs;
      ChangeSet changes = i == 0 ? ChangeSet.between(at, previous, world.graph()) : world.tick(at);
      store.append(changes);
      states.add(world.graph());
      previous = world.graph();
    }
    return states;
  }

  @Test
  void stateAtEveryInstantIsWhatWasAppendedAcrossKeyframes() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(10));
    List<Graph> states = feed(store, new ChurningWorld(1, 40, 0.1, 2), 45, 1000);

    for (int i = 0; i < states.size(); i++) {
      assertThat(store.stateAt(T0 + i * 1000L)).as("state at tick %d", i).isEqualTo(states.get(i));
      // Between two ticks the graph is what the earlier tick left.
      assertThat(store.stateAt(T0 + i * 1000L + 999)).as("state after tick %d", i).isEqualTo(states.get(i));
    }
    // Consecutive states differ, so a store answering any neighbour's state would have failed above.
    assertThat(states.get(11)).isNotEqualTo(states.get(10));
    assertThat(store.stats().keyframes()).isEqualTo(5);
  }

  /** Scrubbing back and forth: whatever a store caches between reads, the order must not matter. */
  @Test
  void instantsReadInAnyOrderGiveTheSameStates() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(10));
    List<Graph> states = feed(store, new ChurningWorld(9, 30, 0.1, 2), 35, 1000);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      order.add(i);
      order.add(i);
    }
    Collections.shuffle(order, new Random(9));

    for (int i : order) {
      assertThat(store.stateAt(T0 + i * 1000L + 300)).as("state after tick %d", i).isEqualTo(states.get(i));
    }
  }

  @Test
  void anEmptyChangeSetAdvancesTheHeadWithoutStoringADelta() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    ChurningWorld world = new ChurningWorld(2, 10, 0.2, 1);
    Graph first = world.graph();
    store.append(ChangeSet.between(T0, Graph.EMPTY, first));
    StoreStats before = store.stats();

    for (int i = 1; i <= 30; i++) {
      store.append(ChangeSet.between(T0 + i * 1000L, first, first));
    }

    assertThat(store.retained()).isEqualTo(new TimeRange(T0, T0 + 30_000));
    assertThat(store.stateAt(T0 + 30_000)).isEqualTo(first);
    assertThat(store.stats()).isEqualTo(before);
    ChangeSet next = world.tick(T0 + 31_000);
    store.append(next);
    assertThat(store.stateAt(T0 + 30_500)).isEqualTo(first);
    assertThat(store.stateAt(T0 + 31_000)).isEqualTo(world.graph()).isNotEqualTo(first);
  }

  @Test
  void aRedeliveredTickAddsNothing() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(3));
    ChurningWorld world = new ChurningWorld(3, 20, 0.1, 2);
    List<Graph> states = feed(store, world, 6, 1000);
    List<ChangeSet> published = new CopyOnWriteArrayList<>();
    store.subscribe(published::add);
    StoreStats before = store.stats();

    // The same tick again, then an older tick carrying different changes: both must be ignored.
    store.append(ChangeSet.between(T0 + 5000, states.get(4), states.get(5)));
    store.append(ChangeSet.between(T0 + 2000, states.get(1), Graph.EMPTY));
    store.append(ChangeSet.between(T0 + 3000, Graph.EMPTY, Graph.EMPTY));

    assertThat(store.stats()).isEqualTo(before);
    assertThat(published).isEmpty();
    assertThat(store.retained()).isEqualTo(new TimeRange(T0, T0 + 5000));
    for (int i = 0; i < states.size(); i++) {
      assertThat(store.stateAt(T0 + i * 1000L)).as("state at tick %d", i).isEqualTo(states.get(i));
    }
  }

  @Test
  void retainedRangeRunsFromTheFirstTickToTheLatest() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    assertThat(store.retained().isEmpty()).isTrue();

    feed(store, new ChurningWorld(4, 5, 0.2, 1), 4, 2500);

    assertThat(store.retained()).isEqualTo(new TimeRange(T0, T0 + 7500));
  }

  @Test
  void anInstantBeforeTheFirstTickIsOutOfRetentionAndSaysTheRange() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    OutOfRetentionException empty = catchThrowableOfType(OutOfRetentionException.class, () -> store.stateAt(T0));
    assertThat(empty).hasMessageContaining("no history recorded yet");
    assertThat(empty.retained().isEmpty()).isTrue();

    feed(store, new ChurningWorld(5, 5, 0.2, 1), 3, 1000);

    OutOfRetentionException before = catchThrowableOfType(OutOfRetentionException.class, () -> store.stateAt(T0 - 1));
    assertThat(before.at()).isEqualTo(T0 - 1);
    assertThat(before.retained()).isEqualTo(new TimeRange(T0, T0 + 2000));
    assertThat(before).hasMessageContaining("outside the retained range")
        .hasMessageContaining("2023-11-14T22:13:20Z to 2023-11-14T22:13:22Z");
  }

  /**
   * Five days of ticks with two days' retention. How much older history a backend keeps depends on
   * how it drops (a keyframe at a time, a day partition at a time), so the bounds are loose: every
   * instant inside retention answers, and the first day is gone.
   */
  @Test
  void historyOlderThanRetentionIsDroppedAndEverythingInsideItAnswers() throws Exception {
    Duration retention = Duration.ofDays(2);
    TopologyStore store = open(retention, Duration.ofHours(1));
    long step = Duration.ofMinutes(10).toMillis();
    List<Graph> states = feed(store, new ChurningWorld(6, 8, 0.25, 1), 5 * 144, step);
    long head = T0 + (states.size() - 1) * step;

    TimeRange retained = store.retained();
    assertThat(retained.to()).isEqualTo(head);
    assertThat(retained.from()).isLessThanOrEqualTo(head - retention.toMillis()).isGreaterThan(T0 + Duration.ofDays(1).toMillis());
    for (int i = 0; i < states.size(); i++) {
      long at = T0 + i * step;
      if (at >= retained.from()) {
        assertThat(store.stateAt(at)).as("state at tick %d", i).isEqualTo(states.get(i));
      }
    }
    OutOfRetentionException old = catchThrowableOfType(OutOfRetentionException.class, () -> store.stateAt(T0 + step));
    assertThat(old.retained()).isEqualTo(retained);
    assertThat(old).hasMessageContaining("outside the retained range " + retained);
  }

  @Test
  void subscribersGetEachChangeSetAfterItIsStored() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(5));
    ChurningWorld world = new ChurningWorld(7, 15, 0.2, 1);
    List<ChangeSet> published = new CopyOnWriteArrayList<>();
    List<Graph> seenByListener = new CopyOnWriteArrayList<>();
    store.subscribe(changes -> {
      published.add(changes);
      try {
        seenByListener.add(store.stateAt(changes.at()));
      } catch (OutOfRetentionException e) {
        throw new AssertionError("published before it was stored: " + changes.at(), e);
      }
    });

    List<Graph> states = feed(store, world, 8, 1000);
    store.append(ChangeSet.between(T0 + 8000, world.graph(), world.graph()));

    assertThat(published).extracting(ChangeSet::at)
        .containsExactly(T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000, T0 + 6000, T0 + 7000, T0 + 8000);
    assertThat(seenByListener.subList(0, 8)).isEqualTo(states);
    assertThat(published.get(3)).isEqualTo(ChangeSet.between(T0 + 3000, states.get(2), states.get(3)));
  }

  @Test
  void statsCountKeyframesNonEmptyDeltasAndTheElementsTheyHold() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(10));
    assertThat(store.stats()).isEqualTo(new StoreStats(0, 0, 0));
    ChurningWorld world = new ChurningWorld(8, 12, 0.25, 1);
    long keyframes = 0;
    long deltas = 0;
    long elements = 0;
    Graph previous = Graph.EMPTY;
    for (int i = 0; i < 25; i++) {
      long at = T0 + i * 1000L;
      // Every third tick changes nothing.
      ChangeSet changes = i == 0 ? ChangeSet.between(at, Graph.EMPTY, world.graph())
          : i % 3 == 0 ? ChangeSet.between(at, previous, previous) : world.tick(at);
      store.append(changes);
      Graph now = changes.applyTo(previous);
      if (i % 10 == 0) {
        keyframes++;
        elements += now.nodes().size() + now.edges().size();
      }
      // A keyframe tick keeps its delta too: the change stream and the timeline read it.
      if (!changes.isEmpty()) {
        deltas++;
        elements += changes.size();
      }
      previous = now;
    }

    assertThat(store.stats()).isEqualTo(new StoreStats(keyframes, deltas, elements));
    assertThat(keyframes).isEqualTo(3);
    assertThat(deltas).isEqualTo(17);
  }

  @Test
  void changesBetweenTwoInstantsAreExactlyTheStoredTicksAcrossKeyframes() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(4));
    List<Graph> states = feed(store, new ChurningWorld(9, 30, 0.2, 2), 20, 1000);

    List<ChangeSet> all = store.changes(T0, T0 + 19_000, Integer.MAX_VALUE);
    assertThat(all).extracting(ChangeSet::at).containsExactly(
        java.util.stream.LongStream.rangeClosed(1, 19).map(i -> T0 + i * 1000).boxed().toArray(Long[]::new));
    for (int i = 1; i < 20; i++) {
      assertThat(all.get(i - 1)).as("tick %d", i).isEqualTo(ChangeSet.between(T0 + i * 1000L, states.get(i - 1), states.get(i)));
    }
    Random random = new Random(3);
    for (int n = 0; n < 20; n++) {
      long from = T0 + random.nextInt(20_000);
      long to = from + random.nextInt((int) (T0 + 20_000 - from));
      Graph forward = store.stateAt(from);
      for (ChangeSet c : store.changes(from, to, Integer.MAX_VALUE)) {
        forward = c.applyTo(forward);
      }
      assertThat(forward).as("from %d to %d", from - T0, to - T0).isEqualTo(store.stateAt(to));
      List<ChangeSet> back = new ArrayList<>(store.changes(from, to, Integer.MAX_VALUE));
      Collections.reverse(back);
      Graph backward = store.stateAt(to);
      for (ChangeSet c : back) {
        backward = c.inverse(from).applyTo(backward);
      }
      assertThat(backward).as("back from %d to %d", to - T0, from - T0).isEqualTo(store.stateAt(from));
      assertThat(ChangeSet.net(to, store.changes(from, to, Integer.MAX_VALUE)).applyTo(store.stateAt(from)))
          .isEqualTo(store.stateAt(to));
    }
  }

  @Test
  void changesStopAfterTheTickThatGoesOverTheLimit() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    feed(store, new ChurningWorld(10, 30, 0.2, 2), 10, 1000);
    List<ChangeSet> all = store.changes(T0, T0 + 9000, Integer.MAX_VALUE);
    int firstTwo = all.get(0).size() + all.get(1).size();

    List<ChangeSet> cut = store.changes(T0, T0 + 9000, firstTwo - 1);

    assertThat(cut).containsExactly(all.get(0), all.get(1));
    assertThat(store.changes(T0, T0 + 9000, firstTwo)).hasSizeGreaterThan(2);
  }

  @Test
  void changesFromBeforeRetentionSayTheRange() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    feed(store, new ChurningWorld(11, 5, 0.2, 1), 3, 1000);

    OutOfRetentionException e = catchThrowableOfType(OutOfRetentionException.class,
        () -> store.changes(T0 - 1, T0 + 2000, 100));

    assertThat(e.retained()).isEqualTo(new TimeRange(T0, T0 + 2000));
    assertThat(store.changes(T0 + 2000, T0 + 5000, 100)).isEmpty();
  }

  @Test
  void changeCountsSumEachBucketsTicks() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(5));
    feed(store, new ChurningWorld(12, 30, 0.2, 2), 12, 1000);
    List<ChangeSet> all = store.changes(T0, T0 + 11_000, Integer.MAX_VALUE);

    List<ChangeCounts> buckets = store.changeCounts(T0, T0 + 11_000, 4000);

    assertThat(buckets).extracting(ChangeCounts::from).containsExactly(T0, T0 + 4000, T0 + 8000);
    assertThat(buckets).extracting(ChangeCounts::to).containsExactly(T0 + 4000, T0 + 8000, T0 + 11_000);
    for (ChangeCounts b : buckets) {
      List<ChangeSet> inside = all.stream().filter(c -> c.at() > b.from() && c.at() <= b.to()).toList();
      assertThat(b.ticks()).isEqualTo(inside.size());
      assertThat(b.changes()).isEqualTo(inside.stream().mapToInt(ChangeSet::size).sum());
      assertThat(b.nodesAdded()).isEqualTo(inside.stream().mapToInt(c -> c.addedNodes().size()).sum());
      assertThat(b.edgesRemoved()).isEqualTo(inside.stream().mapToInt(c -> c.removedEdges().size()).sum());
    }
    assertThat(buckets.stream().mapToInt(ChangeCounts::changes).sum()).isPositive();
  }

  @Test
  void ticksAppendedTogetherAreStoredAsIfOneByOne() throws Exception {
    ChurningWorld world = new ChurningWorld(13, 25, 0.2, 2);
    List<ChangeSet> ticks = new ArrayList<>();
    List<Graph> states = new ArrayList<>();
    Graph previous = Graph.EMPTY;
    for (int i = 0; i < 12; i++) {
      ChangeSet c = i == 0 ? ChangeSet.between(T0, previous, world.graph()) : world.tick(T0 + i * 1000L);
      ticks.add(c);
      previous = world.graph();
      states.add(previous);
    }
    TopologyStore one = open(Duration.ofHours(1), Duration.ofSeconds(3));
    ticks.forEach(one::append);
    StoreStats oneByOne = one.stats();
    one.close();

    TopologyStore batch = open(Duration.ofHours(1), Duration.ofSeconds(3));
    List<ChangeSet> published = new CopyOnWriteArrayList<>();
    batch.subscribe(published::add);
    batch.appendAll(ticks.subList(0, 7));
    batch.appendAll(ticks.subList(5, 12)); // overlaps: ticks 5 and 6 again are ignored

    assertThat(published).containsExactlyElementsOf(ticks);
    assertThat(batch.stats()).isEqualTo(oneByOne);
    for (int i = 0; i < 12; i++) {
      assertThat(batch.stateAt(T0 + i * 1000L)).as("tick %d", i).isEqualTo(states.get(i));
    }
  }

  @Test
  void metricSeriesComeBackRawOrAsTheMeanOfEachStep() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    MetricStore metrics = store.metrics();
    List<MetricStore.Sample> samples = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      samples.add(new MetricStore.Sample("host-1;42;1", "cpu", T0 + i * 5_000L, i));
      samples.add(new MetricStore.Sample("host-1;42;1", "memory", T0 + i * 5_000L, 1_000_000 + i));
      samples.add(new MetricStore.Sample("host-2;7;1", "cpu", T0 + i * 5_000L, 100 + i));
    }
    metrics.record(samples);
    // A redelivered tick: the same instants with other values change nothing.
    metrics.record(List.of(new MetricStore.Sample("host-1;42;1", "cpu", T0, 99)));

    assertThat(metrics.series("host-1;42;1", "cpu", T0 + 10_000, T0 + 25_000, 0)).containsExactly(
        new MetricStore.Point(T0 + 10_000, 2), new MetricStore.Point(T0 + 15_000, 3),
        new MetricStore.Point(T0 + 20_000, 4), new MetricStore.Point(T0 + 25_000, 5));
    assertThat(metrics.series("host-1;42;1", "cpu", T0, T0 + 60_000, 20_000)).containsExactly(
        new MetricStore.Point(T0, 0), new MetricStore.Point(T0 + 20_000, 2.5),
        new MetricStore.Point(T0 + 40_000, 6.5), new MetricStore.Point(T0 + 60_000, 10));
    assertThat(metrics.series("host-2;7;1", "cpu", T0, T0, 0)).containsExactly(new MetricStore.Point(T0, 100));
    assertThat(metrics.metricsOf("host-1;42;1")).containsExactly("cpu", "memory");
    assertThat(metrics.metricsOf("nobody")).isEmpty();
    assertThat(metrics.series("nobody", "cpu", T0, T0 + 60_000, 0)).isEmpty();
  }

  @Test
  void aSeriesRecordedInPartsReadsAsTheirSumPerStep() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofMinutes(10));
    MetricStore metrics = store.metrics();
    String workload = "<workload>;shop/deployment/api";
    List<MetricStore.Sample> samples = new ArrayList<>();
    // Two collectors record their share every 10 s, 3 s apart; b skips the bucket ending at +40 s.
    for (int i = 0; i < 6; i++) {
      samples.add(new MetricStore.Sample(workload, "cpu", T0 + 1_000 + i * 10_000L, 10 + i, "collector-a"));
      samples.add(new MetricStore.Sample(workload, "rtt", T0 + 1_000 + i * 10_000L, 2, "collector-a"));
      if (i != 3) {
        samples.add(new MetricStore.Sample(workload, "cpu", T0 + 4_000 + i * 10_000L, 100, "collector-b"));
        samples.add(new MetricStore.Sample(workload, "rtt", T0 + 4_000 + i * 10_000L, 4, "collector-b"));
      }
    }
    samples.add(new MetricStore.Sample("pod-1", "cpu", T0 + 1_000, 7));
    metrics.record(samples);

    // Raw reads of a series in parts come per 10 s bucket: cpu adds up, rtt averages; where b
    // has no sample (+40 s) its previous bucket's value stands in.
    assertThat(metrics.series(workload, "cpu", T0, T0 + 60_000, 0)).containsExactly(
        new MetricStore.Point(T0 + 10_000, 110), new MetricStore.Point(T0 + 20_000, 111),
        new MetricStore.Point(T0 + 30_000, 112), new MetricStore.Point(T0 + 40_000, 113),
        new MetricStore.Point(T0 + 50_000, 114), new MetricStore.Point(T0 + 60_000, 115));
    assertThat(metrics.series(workload, "rtt", T0, T0 + 60_000, 0)).allSatisfy(p -> assertThat(p.value()).isEqualTo(3));
    // A coarser step: each part's mean over the step, added up.
    assertThat(metrics.series(workload, "cpu", T0, T0 + 60_000, 30_000)).containsExactly(
        new MetricStore.Point(T0 + 30_000, 11 + 100), new MetricStore.Point(T0 + 60_000, 14 + 100));
    assertThat(metrics.metricsOf(workload)).containsExactly("cpu", "rtt");
    // A whole series is read as before.
    assertThat(metrics.series("pod-1", "cpu", T0, T0 + 60_000, 0)).containsExactly(new MetricStore.Point(T0 + 1_000, 7));
  }

  @Test
  void searchFindsEveryLifetimeOfMatchingEntitiesThatOverlapsTheRange() throws Exception {
    TopologyStore store = open(Duration.ofHours(1), Duration.ofSeconds(4));
    List<Graph> states = feed(store, new ChurningWorld(14, 20, 0.2, 1), 12, 1000);
    List<EntitySpan> all = lifetimes(states, 1000);

    for (String q : List.of("worker-1", "WORKER-4 kind:proc", "comm:work host-1;3", "kind:pod", "nothing-like-it")) {
      EntityQuery query = EntityQuery.parse(q);
      for (long[] range : new long[][] {{T0, T0 + 11_000}, {T0 + 3_000, T0 + 5_000}, {T0 + 11_000, T0 + 11_000}}) {
        List<EntitySpan> expected = all.stream()
            .filter(sp -> sp.overlaps(range[0], range[1]) && query.matches(sp))
            .sorted(java.util.Comparator.comparingLong(EntitySpan::firstSeen).reversed().thenComparing(EntitySpan::id))
            .toList();
        assertThat(store.search(query, range[0], range[1], 1000)).as("%s in [%d, %d]", q, range[0] - T0, range[1] - T0)
            .containsExactlyElementsOf(expected);
      }
    }
    assertThat(store.search(EntityQuery.parse("worker"), T0, T0 + 11_000, 3)).hasSize(3);
    assertThat(all.stream().filter(sp -> sp.lastSeen() != null)).as("the world churned").isNotEmpty();
  }

  /** Each node's lifetimes as the states show them: from the tick it appears to the tick it is gone. */
  private static List<EntitySpan> lifetimes(List<Graph> states, long stepMs) {
    List<EntitySpan> spans = new ArrayList<>();
    java.util.Map<String, Long> openSince = new java.util.HashMap<>();
    for (int i = 0; i < states.size(); i++) {
      long at = T0 + i * stepMs;
      Graph g = states.get(i);
      for (String id : g.nodes().keySet()) {
        openSince.putIfAbsent(id, at);
      }
      Graph previous = i == 0 ? Graph.EMPTY : states.get(i - 1);
      for (var n : previous.nodes().values()) {
        if (!g.nodes().containsKey(n.id())) {
          spans.add(span(n, openSince.remove(n.id()), at));
        }
      }
    }
    Graph last = states.get(states.size() - 1);
    openSince.forEach((id, since) -> spans.add(span(last.node(id), since, null)));
    return spans;
  }

  private static EntitySpan span(io.chronoscope.topology.Node n, long first, Long last) {
    java.util.Map<String, String> labels = new java.util.TreeMap<>();
    n.attrs().forEach((k, v) -> {
      if (v instanceof String text) {
        labels.put(k, text);
      }
    });
    return new EntitySpan(n.id(), n.kind(), n.label(), labels, first, last);
  }
}
