package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InstantLabelTest {
  private static final long NOW = Instant.parse("2026-03-01T12:00:00.750Z").toEpochMilli();

  @Test
  void isoIsUtcToTheSecond() {
    assertThat(InstantLabel.iso(NOW)).isEqualTo("2026-03-01T12:00:00Z");
  }

  @Test
  void pastInstantShowsNegativeOffset() {
    long at = NOW - (5 * 60 + 3) * 1000;
    assertThat(InstantLabel.describe(at, NOW, false)).isEqualTo("2026-03-01T11:54:57Z · -5m 3s");
  }

  @Test
  void liveShowsLiveAndWarnsOnlyWhenTheLastTickIsOld() {
    assertThat(InstantLabel.describe(NOW - 2000, NOW, true)).isEqualTo("2026-03-01T11:59:58Z · live");
    assertThat(InstantLabel.describe(NOW - 90_000, NOW, true))
        .isEqualTo("2026-03-01T11:58:30Z · live · no tick for 1m 30s");
  }

  @Test
  void offsetsUseAtMostTwoUnits() {
    assertThat(InstantLabel.offset(300)).isEqualTo("now");
    assertThat(InstantLabel.offset(-42_000)).isEqualTo("-42s");
    assertThat(InstantLabel.offset(-(2 * 3600 + 5 * 60 + 9) * 1000L)).isEqualTo("-2h 5m");
    assertThat(InstantLabel.offset((3 * 86_400 + 4 * 3600) * 1000L)).isEqualTo("+3d 4h");
  }
}
