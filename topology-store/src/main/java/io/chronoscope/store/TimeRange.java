package io.chronoscope.store;

import java.time.Instant;

/** A closed range of instants, epoch milliseconds. */
public record TimeRange(long from, long to) {
  public static final TimeRange EMPTY = new TimeRange(Long.MAX_VALUE, Long.MIN_VALUE);

  public boolean isEmpty() {
    return from > to;
  }

  public boolean contains(long at) {
    return at >= from && at <= to;
  }

  @Override
  public String toString() {
    return isEmpty() ? "nothing yet" : Instant.ofEpochMilli(from) + " to " + Instant.ofEpochMilli(to);
  }
}
