package io.chronoscope.probe.publish;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/** A warning logged at most once per period, so a collector down for hours does not flood the log. */
final class RateLimitedWarning {
  private final System.Logger log;
  private final long periodMs;
  private final AtomicLong lastLoggedMs = new AtomicLong(Long.MIN_VALUE);

  RateLimitedWarning(System.Logger log, long periodMs) {
    this.log = log;
    this.periodMs = periodMs;
  }

  void warn(String message) {
    long now = System.currentTimeMillis();
    long last = lastLoggedMs.get();
    if ((last == Long.MIN_VALUE || now - last >= periodMs) && lastLoggedMs.compareAndSet(last, now)) {
      log.log(Level.WARNING, message);
    }
  }
}
