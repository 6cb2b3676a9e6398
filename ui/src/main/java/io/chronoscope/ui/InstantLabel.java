package io.chronoscope.ui;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** How the UI writes instants: ISO-8601 UTC to the second, and offsets like {@code -5m 3s}. */
final class InstantLabel {
  /** A live graph whose last tick is older than this says so: the collector may have stopped. */
  static final long STALE_TICK_MS = 10_000;

  private InstantLabel() {}

  static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The instant shown: {@code <iso> · live} following the head, {@code <iso> · -5m 3s} otherwise. */
  static String describe(long shownAt, long now, boolean live) {
    if (live) {
      long age = now - shownAt;
      return iso(shownAt) + " · live" + (age > STALE_TICK_MS ? " · no tick for " + duration(age) : "");
    }
    return iso(shownAt) + " · " + offset(shownAt - now);
  }

  /** A signed offset from now, at most two units: {@code -5m 3s}, {@code -2h 0m}, {@code now}. */
  static String offset(long deltaMs) {
    if (Math.abs(deltaMs) < 1000) {
      return "now";
    }
    return (deltaMs < 0 ? "-" : "+") + duration(Math.abs(deltaMs));
  }

  /** A positive duration in at most two units: {@code 42s}, {@code 5m 3s}, {@code 1d 4h}. */
  static String duration(long ms) {
    long s = ms / 1000;
    long d = s / 86_400;
    long h = s % 86_400 / 3600;
    long m = s % 3600 / 60;
    long sec = s % 60;
    if (d > 0) {
      return d + "d " + h + "h";
    }
    if (h > 0) {
      return h + "h " + m + "m";
    }
    if (m > 0) {
      return m + "m " + sec + "s";
    }
    return sec + "s";
  }
}
