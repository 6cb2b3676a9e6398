package io.chronoscope.probe;

import io.chronoscope.model.Report;
import java.lang.System.Logger.Level;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@link Probe#scan()} every interval on one daemon thread, "chronoscope-probe", and hands
 * each report to a consumer. A failed scan or consumer is logged and the next tick runs anyway:
 * reports are full snapshots, so a missed one costs nothing but freshness.
 */
public final class ProbeLoop implements AutoCloseable {
  public static final String THREAD_NAME = "chronoscope-probe";
  private static final System.Logger LOG = System.getLogger(ProbeLoop.class.getName());

  private final Probe probe;
  private final ScheduledExecutorService thread;

  /** Starts scanning at once; the loop owns {@code probe} and closes it in {@link #close()}. */
  public ProbeLoop(Probe probe, Consumer<Report> consumer) {
    this.probe = probe;
    this.thread = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, THREAD_NAME);
      t.setDaemon(true);
      return t;
    });
    long intervalMs = probe.config().intervalMs();
    // Fixed rate keeps reports on the interval; a scan longer than it delays, never overlaps.
    thread.scheduleAtFixedRate(() -> tick(probe, consumer), 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  private static void tick(Probe probe, Consumer<Report> consumer) {
    try {
      consumer.accept(probe.scan());
    } catch (RuntimeException e) {
      // Anything escaping would cancel the schedule for good.
      LOG.log(Level.WARNING, "probe scan or report consumer failed; next scan in "
          + probe.config().intervalMs() + " ms", e);
    }
  }

  /** Stops the thread, waits for a running scan to finish, then closes the probe. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(Math.max(5_000, 2 * probe.config().intervalMs()),
          TimeUnit.MILLISECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    probe.close();
  }
}
