package io.chronoscope.deploys.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.MetricStore;
import io.chronoscope.store.memory.MemoryMetricStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreMetricHistoryTest {
  private static final long T0 = 1_800_000_000_000L;

  @Test
  void aWorkloadTargetReadsItsWorkloadNodesSeriesPerStep() {
    MemoryMetricStore store = new MemoryMetricStore(Duration.ofHours(2));
    List<MetricStore.Sample> samples = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Every 10 s, two samples per minute-step apart from the gap at 30-40 s.
      if (i != 3) {
        samples.add(new MetricStore.Sample("<workload>;shop/deployment/api", "cpu", T0 + i * 10_000L + 1, 10 * i));
      }
    }
    store.record(samples);
    StoreMetricHistory history = new StoreMetricHistory(store);

    double[] values = history.values("prod-eu/shop/Deployment/api", "cpu_percent", T0, T0 + 60_000, 20_000);

    assertThat(values).containsExactly(5, 20, 45);
    assertThat(history.values("shop/deployment/api", "cpu_percent", T0, T0 + 60_000, 20_000)).containsExactly(5, 20, 45);
    assertThat(history.values("prod-eu/shop/deployment/api", "restarts", T0, T0 + 60_000, 20_000)).isEmpty();
    assertThat(history.values("production/api", "cpu_percent", T0, T0 + 60_000, 20_000)).isEmpty();
    assertThat(history.values("shop/deployment/other", "cpu_percent", T0, T0 + 60_000, 20_000))
        .containsOnly(Double.NaN).hasSize(3);
  }
}
