package io.chronoscope.deploys.store;

import static io.chronoscope.deploys.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.deploys.Events;
import org.junit.jupiter.api.Test;

class MemoryDeployEventStoreTest extends DeployEventStoreContract {
  @Override
  protected DeployEventStore newStore() {
    return new MemoryDeployEventStore();
  }

  @Test
  void beyondItsCapacityTheOldestEventGoesFirst() {
    MemoryDeployEventStore small = new MemoryDeployEventStore(2);
    var a = Events.rollout("a", T0, "shop", "api", "1", "succeeded", null);
    var b = Events.rollout("b", T0 + 1, "shop", "api", "2", "succeeded", null);
    var c = Events.rollout("c", T0 + 2, "shop", "api", "3", "succeeded", null);
    small.record(b);
    small.record(a);
    small.record(c);

    assertThat(small.byId(a.id())).isEmpty();
    assertThat(small.find(DeployQuery.between(T0, T0 + 10))).containsExactly(b, c);
    // Gone, so no longer a duplicate.
    assertThat(small.record(a)).isTrue();
  }
}
