package io.chronoscope.deploys.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RobustBaselineTest {
  @Test
  void medianAndMadIgnoreOneSpikeAndMissingSamples() {
    RobustBaseline b = RobustBaseline.of(new double[] {10, 12, 11, Double.NaN, 13, 9, 500});

    assertThat(b.median()).isEqualTo(11.5);
    // Deviations 1.5 0.5 0.5 1.5 2.5 488.5 → median 1.5.
    assertThat(b.mad()).isEqualTo(1.5);
    assertThat(b.samples()).isEqualTo(6);
    assertThat(b.spread(0)).isCloseTo(2.2239, within(1e-4));
    assertThat(b.z(20, 0)).isCloseTo((20 - 11.5) / 2.2239, within(1e-3));
  }

  @Test
  void aFlatHistoryUsesTheMetricsSmallestMeaningfulSpread() {
    RobustBaseline b = RobustBaseline.of(new double[] {0, 0, 0, 0});

    assertThat(b.spread(1.0)).isEqualTo(1.0);
    assertThat(b.z(3, 1.0)).isEqualTo(3.0);
  }

  @Test
  void noSamplesIsNaN() {
    assertThat(RobustBaseline.of(new double[] {Double.NaN}).samples()).isZero();
    assertThat(RobustBaseline.of(new double[0]).median()).isNaN();
  }
}
