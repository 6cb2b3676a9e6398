package io.chronoscope.server.loadgen;

import io.chronoscope.model.Report;
import io.chronoscope.probe.publish.ReportPublisher;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Drives a {@link SimulatedWorld} in real time: publishes the hosts' reports, then every
 * interval advances the world and publishes again, until the tick or time limit or
 * {@link #stop()}. Host {@code i}'s reports always go through publisher {@code i mod n}, so each
 * host's reports leave in order. Progress goes to a stream every few seconds.
 */
public final class LoadRun {
  static final long PROGRESS_EVERY_MS = 5_000;

  private final SimulatedWorld world;
  private final List<? extends ReportPublisher> publishers;
  private final Supplier<Delivery> delivery;
  private final long intervalNanos;
  private final long maxTicks;
  private final Duration duration;
  private final PrintStream progress;
  private final LongSupplier wallClock;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile long ticks;
  private volatile long published;
  private volatile long lateTicks;

  /**
   * @param maxTicks rounds of reports to publish, the first one included; 0 for no limit
   * @param duration how long to run, or null for no limit
   * @param wallClock epoch milliseconds, stamped on the reports
   */
  public LoadRun(SimulatedWorld world, List<? extends ReportPublisher> publishers,
      Supplier<Delivery> delivery, Duration interval, long maxTicks, Duration duration,
      PrintStream progress, LongSupplier wallClock) {
    if (publishers.isEmpty()) {
      throw new IllegalArgumentException("publishers must not be empty");
    }
    this.world = world;
    this.publishers = List.copyOf(publishers);
    this.delivery = delivery;
    this.intervalNanos = interval.toNanos();
    this.maxTicks = maxTicks;
    this.duration = duration;
    this.progress = progress;
    this.wallClock = wallClock;
  }

  /** The outcome of a run. */
  public record Summary(long ticks, long published, long lateTicks, Delivery delivery) {

    public long undelivered() {
      return published - delivery.accepted();
    }

    public String describe() {
      return ticks + " ticks, " + published + " reports published, " + delivery.accepted()
          + " accepted, " + delivery.dropped() + " dropped, " + delivery.rejected() + " rejected, "
          + delivery.failed() + " failed, " + lateTicks + " late ticks";
    }
  }

  /** Runs until a limit is reached or {@link #stop()} is called; the publishers stay open. */
  public Summary run() throws InterruptedException {
    long startNanos = System.nanoTime();
    long endNanos = duration == null ? Long.MAX_VALUE : startNanos + duration.toNanos();
    long nextProgress = startNanos + TimeUnit.MILLISECONDS.toNanos(PROGRESS_EVERY_MS);
    long lastProgressNanos = startNanos;
    long lastAccepted = 0;
    long deadline = startNanos;
    while (true) {
      if (ticks > 0) {
        world.advance(wallClock.getAsLong());
      }
      publish(world.reports());
      ticks++;
      if (maxTicks > 0 && ticks >= maxTicks) {
        break;
      }
      long now = System.nanoTime();
      if (now >= nextProgress) {
        Delivery d = delivery.get();
        double perSecond = (d.accepted() - lastAccepted) * 1e9 / Math.max(1, now - lastProgressNanos);
        progress.println(String.format(Locale.ROOT, "loadgen: %d ticks, %d reports published, "
            + "%d accepted (%.1f/s), %d dropped, %d rejected, %d failed, %d late ticks", ticks,
            published, d.accepted(), perSecond, d.dropped(), d.rejected(), d.failed(), lateTicks));
        lastAccepted = d.accepted();
        lastProgressNanos = now;
        nextProgress = now + TimeUnit.MILLISECONDS.toNanos(PROGRESS_EVERY_MS);
      }
      deadline += intervalNanos;
      if (now > deadline + intervalNanos) {
        // More than a tick behind: go on from now rather than publish a burst to catch up.
        lateTicks++;
        deadline = now;
      }
      if (deadline >= endNanos) {
        break;
      }
      if (stopRequested.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
    }
    return summary();
  }

  /** Ends {@link #run()} before its next tick. */
  public void stop() {
    stopRequested.countDown();
  }

  public Summary summary() {
    return new Summary(ticks, published, lateTicks, delivery.get());
  }

  private void publish(List<Report> reports) {
    for (int i = 0; i < reports.size(); i++) {
      publishers.get(i % publishers.size()).publish(reports.get(i));
      published++;
    }
  }
}
