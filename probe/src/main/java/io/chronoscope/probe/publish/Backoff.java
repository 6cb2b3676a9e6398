package io.chronoscope.probe.publish;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff between retries: {@code min}, doubling per failure, capped at {@code max},
 * each delay drawn uniformly from its upper half so that probes restarted together do not retry
 * in lockstep against a recovering collector.
 */
public record Backoff(Duration min, Duration max) {
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  public Backoff {
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("min must be positive, was " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("max must be at least min (" + min + "), was " + max);
    }
  }

  /** The delay before retry number {@code failures} (1 after the first failure). */
  public long delayMs(int failures) {
    long cap = max.toMillis();
    long delay = min.toMillis() << Math.min(Math.max(failures - 1, 0), 30);
    delay = Math.min(delay < 0 ? cap : delay, cap);
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }
}
