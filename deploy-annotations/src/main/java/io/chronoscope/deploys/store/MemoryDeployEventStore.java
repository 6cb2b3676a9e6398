package io.chronoscope.deploys.store;

import io.chronoscope.deploys.DeployEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Deploy events in memory, for the embedded default store. Deploys are a handful an hour, so a
 * cap on the count (oldest dropped first) bounds memory without a retention clock.
 */
public final class MemoryDeployEventStore implements DeployEventStore {
  static final int DEFAULT_CAPACITY = 100_000;

  private final int capacity;
  private final Map<String, DeployEvent> byId = new HashMap<>();
  private final Map<String, String> idByDedupKey = new HashMap<>();
  /** (at, insertion order) → id: the listing order of the PostgreSQL store. */
  private final TreeMap<long[], String> byTime = new TreeMap<>(
      Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
  private final Map<String, long[]> timeKey = new HashMap<>();
  private long sequence;

  public MemoryDeployEventStore() {
    this(DEFAULT_CAPACITY);
  }

  public MemoryDeployEventStore(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public synchronized boolean record(DeployEvent event) {
    if (idByDedupKey.containsKey(event.dedupKey())) {
      return false;
    }
    if (byId.size() >= capacity) {
      String oldest = byTime.pollFirstEntry().getValue();
      DeployEvent dropped = byId.remove(oldest);
      idByDedupKey.remove(dropped.dedupKey());
      timeKey.remove(oldest);
    }
    long[] key = {event.at(), sequence++};
    byId.put(event.id(), event);
    idByDedupKey.put(event.dedupKey(), event.id());
    byTime.put(key, event.id());
    timeKey.put(event.id(), key);
    return true;
  }

  @Override
  public synchronized Optional<DeployEvent> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public synchronized List<DeployEvent> find(DeployQuery query) {
    List<DeployEvent> found = new ArrayList<>();
    for (String id : byTime.subMap(new long[] {query.from(), Long.MIN_VALUE}, true,
        new long[] {query.to(), Long.MAX_VALUE}, true).values()) {
      DeployEvent e = byId.get(id);
      if (query.matches(e)) {
        found.add(e);
        if (found.size() >= query.limit()) {
          break;
        }
      }
    }
    return found;
  }

  @Override
  public synchronized boolean updateDerived(DeployEvent event) {
    DeployEvent stored = byId.get(event.id());
    if (stored == null) {
      return false;
    }
    byId.put(event.id(), stored.withDerived(event.deployId(), event.manual(), event.verdict()));
    return true;
  }
}
