package io.chronoscope.deploys.verdict;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.DeployQuery;
import java.time.Duration;

/**
 * Gives each finished deploy its verdict once its after window has passed; run every minute or
 * so. Events already judged, or too old to still be waited for, are left alone.
 */
public final class VerdictJob {
  /** Past this, an event nobody could judge (no metrics) is no longer looked at. */
  static final Duration GIVE_UP_AFTER = Duration.ofHours(6);

  private final DeployEventStore store;
  private final VerdictJudge judge;

  public VerdictJob(DeployEventStore store, VerdictJudge judge) {
    this.store = store;
    this.judge = judge;
  }

  /** Judges what is due at {@code now}; returns how many verdicts were given. */
  public int run(long now) {
    int judged = 0;
    for (DeployEvent e : store.find(new DeployQuery(now - GIVE_UP_AFTER.toMillis(), now, null, null, 10_000))) {
      if (e.verdict() != null || !e.finished() || judge.dueAt(e) > now) {
        continue;
      }
      var verdict = judge.judge(e, now);
      if (verdict.isPresent()) {
        store.updateDerived(e.withDerived(e.deployId(), e.manual(), verdict.get()));
        judged++;
      }
    }
    return judged;
  }
}
