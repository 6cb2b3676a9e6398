package io.chronoscope.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryTopologyStoreTest {
  private static final long T0 = 1_700_000_000_000L;

  /** A graph that differs at every step: step i has nodes 0..i and an edge i-1 → i. */
  private static Graph step(int i) {
    Graph.Builder b = Graph.builder();
    for (int n = 0; n <= i; n++) {
      b.node(new Node("n" + n, "process", "p" + n, Map.of("pid", n, "seen", i % 3)));
    }
    if (i > 0) {
      b.edge(new Edge("n" + (i - 1), "n" + i, Map.of()));
    }
    return b.build();
  }

  private static List<Graph> feed(MemoryTopologyStore store, int steps, long stepMs) {
    List<Graph> states = new ArrayList<>();
    Graph previous = Graph.EMPTY;
    for (int i = 0; i < steps; i++) {
      Graph next = step(i);
      store.append(ChangeSet.between(T0 + i * stepMs, previous, next));
      states.add(next);
      previous = next;
    }
    return states;
  }

  @Test
  void rebuildsTheStateAtEveryInstantAcrossKeyframes() throws Exception {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofSeconds(10));
    List<Graph> states = feed(store, 60, 1000);

    for (int i = 0; i < 60; i++) {
      assertThat(store.stateAt(T0 + i * 1000L)).as("state at step %d", i).isEqualTo(states.get(i));
      // Between two ticks the graph is what the earlier tick left.
      assertThat(store.stateAt(T0 + i * 1000L + 500)).isEqualTo(states.get(i));
    }
    assertThat(store.stats().keyframes()).isEqualTo(6);
  }

  @Test
  void emptyTicksAdvanceTheHeadWithoutStoringDeltas() throws Exception {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    Graph g = step(2);
    store.append(ChangeSet.between(T0, Graph.EMPTY, g));
    for (int i = 1; i <= 100; i++) {
      store.append(ChangeSet.between(T0 + i * 1000L, g, g));
    }
    assertThat(store.stats().deltas()).isZero();
    assertThat(store.retained().to()).isEqualTo(T0 + 100_000);
    assertThat(store.stateAt(T0 + 50_000)).isEqualTo(g);
  }

  @Test
  void dropsHistoryOlderThanRetentionAWholeKeyframeAtATime() throws Exception {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofSeconds(30), Duration.ofSeconds(10));
    List<Graph> states = feed(store, 100, 1000);

    long from = store.retained().from();
    assertThat(from).isBetween(T0 + 59_000L, T0 + 69_000L);
    assertThat(store.stateAt(T0 + 99_000)).isEqualTo(states.get(99));
    assertThat(store.stateAt(T0 + 70_000)).isEqualTo(states.get(70));
    assertThatThrownBy(() -> store.stateAt(T0 + 10_000))
        .isInstanceOf(OutOfRetentionException.class)
        .hasMessageContaining("outside the retained range");
  }

  @Test
  void ignoresATickItAlreadyHas() throws Exception {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    List<Graph> states = feed(store, 5, 1000);
    store.append(ChangeSet.between(T0 + 2000, states.get(1), states.get(2)));
    assertThat(store.stateAt(T0 + 4000)).isEqualTo(states.get(4));
  }

  @Test
  void saysSoWhenNothingIsRecordedYet() {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    assertThatThrownBy(() -> store.stateAt(T0))
        .isInstanceOf(OutOfRetentionException.class)
        .hasMessageContaining("no history recorded yet");
  }

  @Test
  void revertingAChangeSetGivesThePreviousGraph() {
    Graph a = step(3);
    Graph b = step(4);
    ChangeSet d = ChangeSet.between(T0, a, b);
    assertThat(d.applyTo(a)).isEqualTo(b);
    assertThat(d.revert(b)).isEqualTo(a);
  }
}
