package io.chronoscope.collector.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.store.EntityQuery;
import io.chronoscope.store.EntitySpan;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/search}: "where was pod X last Tuesday" — every lifetime of the entities
 * matching {@code q} that overlaps the range, with what they were (kind, name, text attributes
 * such as host, namespace, image) and when they came and went.
 */
@Controller("/api/v1")
public class SearchController {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;
  static final int MAX_QUERY_LENGTH = 500;

  private final TopologyStore store;
  private final Clock clock;

  public SearchController(TopologyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** {@code lastSeen} null: alive at the head. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Result(String id, String kind, String name, java.util.Map<String, String> labels, String firstSeen,
      String lastSeen) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record SearchResponse(String q, String from, String to, int limit, boolean truncated, List<Result> results) {}

  @Get("/search")
  public SearchResponse search(@Nullable @QueryValue String q, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to, @Nullable @QueryValue String limit) {
    if (q == null || q.isBlank()) {
      throw ApiException.badParameter("q", "q is required: words to find in ids, names and labels,"
          + " and field:value terms, e.g. \"payments kind:pod namespace:prod\"");
    }
    if (q.length() > MAX_QUERY_LENGTH) {
      throw ApiException.badParameter("q", "q is " + q.length() + " characters; the limit is " + MAX_QUERY_LENGTH);
    }
    long now = clock.millis();
    TimeRange retained = store.retained();
    long toAt = Instants.parse("to", to, now);
    long fromAt = Instants.parse("from", from, retained.isEmpty() ? toAt : retained.from());
    if (fromAt > toAt) {
      throw ApiException.badParameter("from", "from (" + Instant.ofEpochMilli(fromAt) + ") is after to ("
          + Instant.ofEpochMilli(toAt) + ")");
    }
    int max = parseLimit(limit);
    List<EntitySpan> found = store.search(EntityQuery.parse(q), fromAt, toAt, max + 1);
    List<Result> results = found.stream().limit(max).map(s -> new Result(s.id(), s.kind(), s.name(), s.labels(),
        Instant.ofEpochMilli(s.firstSeen()).toString(),
        s.lastSeen() == null ? null : Instant.ofEpochMilli(s.lastSeen()).toString())).toList();
    return new SearchResponse(q, Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(), max,
        found.size() > max, results);
  }

  private static int parseLimit(String limit) {
    if (limit == null || limit.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(limit.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badParameter("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", was '" + limit + "'");
  }
}
