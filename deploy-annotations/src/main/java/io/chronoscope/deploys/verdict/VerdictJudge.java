package io.chronoscope.deploys.verdict;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Verdict;
import io.chronoscope.deploys.store.DeployEventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a finished deploy: for each {@link DeployMetric}, the median after the deploy against a
 * robust baseline (median and MAD) of the window before it and the same hour on earlier days;
 * during a rolling update, new pods against old pods. Beyond {@link Settings#suspectSpreads} the
 * bad way it is suspect, beyond {@link Settings#failedSpreads} (or a failed rollout) failed; when
 * not healthy the verdict carries the rollback command to the last good revision.
 */
public final class VerdictJudge {
  /**
   * @param window        length of the before and after windows
   * @param settle        time after the deploy finished that the after window skips (warm-up)
   * @param step          sampling step
   * @param days          earlier days whose same hour joins the baseline
   */
  public record Settings(Duration window, Duration settle, Duration step, int days, double suspectSpreads,
      double failedSpreads) {
    public static final Settings DEFAULT = new Settings(Duration.ofMinutes(15), Duration.ofMinutes(2),
        Duration.ofSeconds(30), 7, 4.0, 10.0);
  }

  private static final long DAY = Duration.ofDays(1).toMillis();

  private final MetricHistory metrics;
  private final RollbackCommand rollback;
  private final Settings settings;
  private final List<DeployMetric> watched;

  public VerdictJudge(MetricHistory metrics, DeployEventStore store, Settings settings) {
    this(metrics, store, settings, DeployMetric.ALL);
  }

  public VerdictJudge(MetricHistory metrics, DeployEventStore store, Settings settings, List<DeployMetric> watched) {
    this.metrics = metrics;
    this.rollback = new RollbackCommand(store);
    this.settings = settings;
    this.watched = List.copyOf(watched);
  }

  /** When an event can be judged: its after window has passed. */
  public long dueAt(DeployEvent e) {
    return end(e) + settings.settle().toMillis() + settings.window().toMillis();
  }

  /** The verdict, or empty when there is nothing to judge by (no metrics, and the rollout did not fail). */
  public Optional<Verdict> judge(DeployEvent e, long now) {
    List<String> reasons = new ArrayList<>();
    String status = null;
    if (e.phase().equals("failed") || e.phase().equals("stuck")) {
      reasons.add("the " + e.kind() + " " + e.phase() + (e.changeCause() == null ? "" : ": " + e.changeCause()));
      status = "failed";
    }
    boolean measured = false;
    String target = e.target().key();
    long start = e.startedAt() != null ? e.startedAt() : e.at();
    long end = end(e);
    long w = settings.window().toMillis();
    long step = settings.step().toMillis();
    for (DeployMetric m : watched) {
      double[] after = metrics.values(target, m.name(), end + settings.settle().toMillis(),
          end + settings.settle().toMillis() + w, step);
      RobustBaseline afterStats = RobustBaseline.of(after);
      RobustBaseline baseline = RobustBaseline.of(history(target, m.name(), start, w, step));
      if (afterStats.samples() == 0 || baseline.samples() == 0) {
        continue;
      }
      measured = true;
      double z = baseline.z(afterStats.median(), m.minSpread());
      double bad = m.badness(z);
      status = worse(status, classify(bad));
      if (bad >= settings.suspectSpreads()) {
        reasons.add(String.format(Locale.ROOT, "%s %s → %s after the deploy (baseline median %s, spread %s:"
            + " %.1f spreads %s)", m.name(), num(baseline.median(), m), num(afterStats.median(), m),
            num(baseline.median(), m), num(baseline.spread(m.minSpread()), m), Math.abs(z), z > 0 ? "up" : "down"));
      }
      String sideBySide = sideBySide(e, m, start, end, step);
      if (sideBySide != null) {
        reasons.add(sideBySide);
        status = worse(status, "suspect");
      }
    }
    if (status == null || (!measured && !"failed".equals(status))) {
      return Optional.empty();
    }
    String command = status.equals("healthy") ? null : rollback.forDeploy(e).orElse(null);
    if (!status.equals("healthy") && command == null) {
      reasons.add("no earlier good revision of " + target + " is known to roll back to");
    }
    return Optional.of(new Verdict(status, reasons, command, now));
  }

  /** The before window and the same hour on earlier days, pooled. */
  private double[] history(String target, String metric, long start, long w, long step) {
    List<double[]> parts = new ArrayList<>();
    parts.add(metrics.values(target, metric, start - w, start, step));
    for (int d = 1; d <= settings.days(); d++) {
      long dayStart = start - d * DAY;
      parts.add(metrics.values(target, metric, dayStart - w, dayStart + w, step));
    }
    return parts.stream().flatMapToDouble(Arrays::stream).toArray();
  }

  /** New pods against old ones while both ran; a reason when the new ones are off the bad way. */
  private String sideBySide(DeployEvent e, DeployMetric m, long start, long end, long step) {
    if (e.revision() == null) {
      return null;
    }
    Map<String, MetricHistory.Instance> pods = metrics.instances(e.target().key(), m.name(), start,
        end + settings.settle().toMillis() + settings.window().toMillis(), step);
    double[] fresh = pods.values().stream().filter(i -> runsNewRevision(e, i))
        .flatMapToDouble(i -> Arrays.stream(i.values())).toArray();
    double[] old = pods.values().stream().filter(i -> !runsNewRevision(e, i))
        .flatMapToDouble(i -> Arrays.stream(i.values())).toArray();
    RobustBaseline oldStats = RobustBaseline.of(old);
    RobustBaseline newStats = RobustBaseline.of(fresh);
    if (oldStats.samples() == 0 || newStats.samples() == 0) {
      return null;
    }
    double z = oldStats.z(newStats.median(), m.minSpread());
    if (m.badness(z) < settings.suspectSpreads()) {
      return null;
    }
    return String.format(Locale.ROOT, "%s on new pods (revision %s) %s vs %s on old pods (%.1f spreads)",
        m.name(), e.revision(), num(newStats.median(), m), num(oldStats.median(), m), Math.abs(z));
  }

  /**
   * A pod runs the deployed revision when it says so, or when its pod template hash is the one of
   * the deploy's new ReplicaSet ({@code <deployment>-<hash>}): pods carry the hash, not the
   * Deployment's revision number.
   */
  static boolean runsNewRevision(DeployEvent e, MetricHistory.Instance pod) {
    if (e.revision().equals(pod.revision())) {
      return true;
    }
    String replicaSet = e.attributes().get("replicaSet");
    return replicaSet != null && replicaSet.endsWith("-" + pod.revision());
  }

  private String classify(double bad) {
    if (bad >= settings.failedSpreads()) {
      return "failed";
    }
    return bad >= settings.suspectSpreads() ? "suspect" : "healthy";
  }

  private static String worse(String a, String b) {
    List<String> order = List.of("healthy", "suspect", "failed");
    if (a == null) {
      return b;
    }
    return order.indexOf(b) > order.indexOf(a) ? b : a;
  }

  private static long end(DeployEvent e) {
    return e.finishedAt() != null ? e.finishedAt() : e.at();
  }

  private static String num(double v, DeployMetric m) {
    String s = Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
    return s + m.unit();
  }
}
