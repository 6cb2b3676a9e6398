package io.chronoscope.store.memory;

import io.chronoscope.store.EntityQuery;
import io.chronoscope.store.EntitySpan;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entity lifetimes kept from the change sets as they are appended: a node added opens one, a node
 * removed closes it, a renamed or relabelled node updates its open one. Not thread-safe: the
 * memory store calls it under its lock.
 */
final class MemoryEntitySpans {
  private final Map<String, EntitySpan> open = new HashMap<>();
  /** In the order they closed, so retention drops from the front. */
  private final Deque<EntitySpan> closed = new ArrayDeque<>();

  void apply(ChangeSet changes) {
    long at = changes.at();
    for (Node n : changes.addedNodes()) {
      open.put(n.id(), new EntitySpan(n.id(), n.kind(), n.label(), labels(n), at, null));
    }
    for (Node n : changes.removedNodes()) {
      EntitySpan s = open.remove(n.id());
      if (s != null) {
        closed.addLast(new EntitySpan(s.id(), s.kind(), s.name(), s.labels(), s.firstSeen(), at));
      }
    }
    for (ChangeSet.Change<Node> c : changes.changedNodes()) {
      EntitySpan s = open.get(c.after().id());
      Node n = c.after();
      if (s != null) {
        Map<String, String> labels = labels(n);
        if (!labels.equals(s.labels()) || !n.label().equals(s.name()) || !n.kind().equals(s.kind())) {
          open.put(n.id(), new EntitySpan(n.id(), n.kind(), n.label(), labels, s.firstSeen(), null));
        }
      }
    }
  }

  List<EntitySpan> search(EntityQuery query, long from, long to, int limit) {
    List<EntitySpan> found = new ArrayList<>();
    for (EntitySpan s : open.values()) {
      if (s.overlaps(from, to) && query.matches(s)) {
        found.add(s);
      }
    }
    for (EntitySpan s : closed) {
      if (s.overlaps(from, to) && query.matches(s)) {
        found.add(s);
      }
    }
    found.sort(Comparator.comparingLong(EntitySpan::firstSeen).reversed().thenComparing(EntitySpan::id));
    return found.size() > limit ? List.copyOf(found.subList(0, limit)) : found;
  }

  void evictBefore(long cutoff) {
    while (!closed.isEmpty() && closed.peekFirst().lastSeen() < cutoff) {
      closed.pollFirst();
    }
  }

  /** The attributes that say what an entity is (text), not how it is doing (numbers). */
  static Map<String, String> labels(Node n) {
    Map<String, String> labels = new TreeMap<>();
    n.attrs().forEach((k, v) -> {
      if (v instanceof String text) {
        labels.put(k, text);
      }
    });
    return labels;
  }
}
