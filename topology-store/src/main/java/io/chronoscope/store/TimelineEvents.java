package io.chronoscope.store;

import java.util.List;

/**
 * Events drawn on the timeline next to the change counts: deploys, rollbacks, config changes.
 * The deploy-annotations module supplies them; the topology store does not know about deploys, so
 * the history API asks this interface and works (with no markers) when nothing supplies it.
 */
public interface TimelineEvents {
  TimelineEvents NONE = (from, to, limit) -> List.of();

  /** Events that started in [from, to], oldest first, at most {@code limit}. */
  List<TimelineEvent> between(long from, long to, int limit);
}
