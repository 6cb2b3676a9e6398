package io.chronoscope.store;

import java.time.Instant;

/** Asked for an instant the store does not hold. The message states the retained range. */
public class OutOfRetentionException extends Exception {
  private final long at;
  private final TimeRange retained;

  public OutOfRetentionException(long at, TimeRange retained) {
    super(retained.isEmpty()
        ? "no history recorded yet; asked for " + Instant.ofEpochMilli(at)
        : Instant.ofEpochMilli(at) + " is outside the retained range " + retained);
    this.at = at;
    this.retained = retained;
  }

  public long at() {
    return at;
  }

  public TimeRange retained() {
    return retained;
  }
}
