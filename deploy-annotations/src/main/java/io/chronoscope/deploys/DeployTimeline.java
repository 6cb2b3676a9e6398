package io.chronoscope.deploys;

import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import java.util.List;

/** Deploy events as timeline markers, for {@code /api/v1/timeline}. */
public final class DeployTimeline implements TimelineEvents {
  private final DeployEventStore store;

  public DeployTimeline(DeployEventStore store) {
    this.store = store;
  }

  @Override
  public List<TimelineEvent> between(long from, long to, int limit) {
    return store.find(new DeployQuery(from, to, null, null, limit)).stream()
        .map(e -> new TimelineEvent(e.id(), e.at(), e.kind(), e.phase(), e.target().key(), e.title(),
            e.verdict() == null ? null : e.verdict().status()))
        .toList();
  }
}
