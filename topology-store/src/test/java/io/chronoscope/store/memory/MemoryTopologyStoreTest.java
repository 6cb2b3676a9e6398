package io.chronoscope.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.store.ChurningWorld;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.TopologyStoreContract;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryTopologyStoreTest extends TopologyStoreContract {

  @Override
  protected TopologyStore newStore(Duration retention, Duration keyframeInterval) {
    return new MemoryTopologyStore(retention, keyframeInterval);
  }

  /** The memory store drops a keyframe as soon as the next one covers the cutoff: tight bounds. */
  @Test
  void dropsHistoryOlderThanRetentionAWholeKeyframeAtATime() throws Exception {
    TopologyStore store = open(Duration.ofSeconds(30), Duration.ofSeconds(10));
    List<Graph> states = feed(store, new ChurningWorld(11, 10, 0.2, 1), 100, 1000);

    long from = store.retained().from();
    assertThat(from).isBetween(T0 + 59_000L, T0 + 69_000L);
    assertThat(store.stateAt(T0 + 99_000)).isEqualTo(states.get(99));
    assertThat(store.stateAt(T0 + 70_000)).isEqualTo(states.get(70));
    assertThatThrownBy(() -> store.stateAt(T0 + 10_000))
        .isInstanceOf(OutOfRetentionException.class)
        .hasMessageContaining("outside the retained range");
  }

  @Test
  void refusesANonPositiveRetentionOrKeyframeInterval() {
    assertThatThrownBy(() -> new MemoryTopologyStore(Duration.ZERO, Duration.ofMinutes(10)))
        .hasMessageContaining("retention must be positive");
    assertThatThrownBy(() -> new MemoryTopologyStore(Duration.ofHours(1), Duration.ofSeconds(-1)))
        .hasMessageContaining("keyframe interval must be positive");
  }

  @Test
  void revertingAChangeSetGivesThePreviousGraph() {
    ChurningWorld world = new ChurningWorld(12, 10, 0.3, 1);
    Graph a = world.graph();
    ChangeSet d = world.tick(T0);
    Graph b = world.graph();
    assertThat(d.applyTo(a)).isEqualTo(b);
    assertThat(d.revert(b)).isEqualTo(a);
  }
}
