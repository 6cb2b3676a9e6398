package io.chronoscope.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One lifetime of one entity: when a node with this id was first and last in the graph, and what
 * it was then (its text attributes). {@code lastSeen} is null while it is alive.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EntitySpan(String id, String kind, String name, Map<String, String> labels, long firstSeen,
    Long lastSeen) {

  public EntitySpan {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** True when this lifetime overlaps [from, to]. */
  public boolean overlaps(long from, long to) {
    return firstSeen <= to && (lastSeen == null || lastSeen >= from);
  }
}
