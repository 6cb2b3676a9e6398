package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** Flow refuses to encode some Java types for JavaScript; a chart load must not hit one. */
class MetricsChartTest {
  @Test
  void loadSendsEpochMillisFlowCanEncode() {
    MetricsChart chart = new MetricsChart();
    assertThatCode(() -> chart.load("h1;<host>", 1_700_000_000_000L, 1_700_003_600_000L)).doesNotThrowAnyException();
  }
}
