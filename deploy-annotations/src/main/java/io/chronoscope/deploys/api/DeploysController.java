package io.chronoscope.deploys.api;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.hooks.GenericDeployReader;
import io.chronoscope.deploys.hooks.Payload;
import io.chronoscope.deploys.store.DeployQuery;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.deploys.topology.TargetNodes;
import io.chronoscope.deploys.topology.TopologyDiff;
import io.chronoscope.topology.Node;
import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.topology.Graph;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Deploy events: listed by time, target and verdict, one by id, and posted by the
 * {@code annotate} CLI (with the API token; {@code Idempotency-Key} makes a retry harmless).
 */
@Controller("/api/v1/deploys")
public class DeploysController {
  static final Duration DEFAULT_RANGE = Duration.ofDays(1);
  static final int MAX_LIMIT = 1_000;

  static final Duration DEFAULT_DIFF_WINDOW = Duration.ofMinutes(10);
  static final Duration MAX_DIFF_WINDOW = Duration.ofHours(6);

  private final DeployRecorder recorder;
  private final Clock clock;
  private final TopologyStore topology;

  public DeploysController(DeployRecorder recorder, Clock clock, @Nullable TopologyStore topology) {
    this.recorder = recorder;
    this.clock = clock;
    this.topology = topology;
  }

  /**
   * The target's neighbourhood just before the deploy started against {@code window} after it
   * finished (or now, marked partial, when that is still to come).
   */
  @Get(uri = "/{id}/topology-diff", produces = MediaType.APPLICATION_JSON)
  public TopologyDiff.Result topologyDiff(@PathVariable String id, @Nullable @QueryValue String window) {
    DeployEvent e = byId(id);
    if (topology == null) {
      throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, null, "no topology store is configured");
    }
    long w = duration("window", window, DEFAULT_DIFF_WINDOW);
    if (w <= 0 || w > MAX_DIFF_WINDOW.toMillis()) {
      throw ApiException.badParameter("window", "window '" + window + "' is not between 1 ms and "
          + MAX_DIFF_WINDOW.toHours() + "h");
    }
    long now = clock.millis();
    long start = e.startedAt() != null ? e.startedAt() : e.at();
    long end = e.finishedAt() != null ? e.finishedAt() : e.at();
    long beforeAt = start - 1;
    long afterAt = Math.min(end + w, now);
    return TopologyDiff.between(e, beforeAt, state(beforeAt), afterAt, state(afterAt), end + w > now);
  }

  /** The target's pods, containers and processes at the deploy (after it finished), or at {@code at}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record TargetNodesAnswer(String id, String target, String at, List<Node> nodes) {}

  @Get(uri = "/{id}/nodes", produces = MediaType.APPLICATION_JSON)
  public TargetNodesAnswer nodes(@PathVariable String id, @Nullable @QueryValue String at) {
    DeployEvent e = byId(id);
    if (topology == null) {
      throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, null, "no topology store is configured");
    }
    long when = instant("at", at, e.finishedAt() != null ? e.finishedAt() : e.at());
    Graph world = state(when);
    return new TargetNodesAnswer(e.id(), e.target().key(), Instant.ofEpochMilli(when).toString(),
        TargetNodes.of(world, e.target()).stream().map(world::node).toList());
  }

  private Graph state(long at) {
    try {
      return topology.stateAt(at);
    } catch (OutOfRetentionException ex) {
      throw new ApiException(HttpStatus.NOT_FOUND, "id", "the topology at " + Instant.ofEpochMilli(at)
          + " is no longer (or not yet) retained: " + ex.getMessage());
    }
  }

  /** {@code 10m}, {@code 90s}, {@code 2h}, {@code 500ms}, ISO-8601 {@code PT10M}, or milliseconds. */
  static long duration(String parameter, String value, Duration defaultValue) {
    if (value == null || value.isBlank()) {
      return defaultValue.toMillis();
    }
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (v.startsWith("pt")) {
        return Duration.parse(v).toMillis();
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "ms" : m.group(2)) {
          case "s" -> n * 1_000;
          case "m" -> n * 60_000;
          case "h" -> n * 3_600_000;
          default -> n;
        };
      }
    } catch (RuntimeException ignored) {
      // falls through to the 400 below
    }
    throw ApiException.badParameter(parameter, parameter + " '" + value + "' is not a duration such as 10m, 90s or PT10M");
  }

  public record DeployList(String from, String to, int count, List<DeployEvent> deploys) {}

  @Get(produces = MediaType.APPLICATION_JSON)
  public DeployList list(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
      @Nullable @QueryValue String target, @Nullable @QueryValue String verdict,
      @Nullable @QueryValue String limit) {
    long now = clock.millis();
    long toAt = instant("to", to, now);
    long fromAt = instant("from", from, toAt - DEFAULT_RANGE.toMillis());
    if (fromAt > toAt) {
      throw ApiException.badParameter("from", "from (" + Instant.ofEpochMilli(fromAt) + ") is after to ("
          + Instant.ofEpochMilli(toAt) + ")");
    }
    if (verdict != null && !DeployEvent.Verdict.STATUSES.contains(verdict)) {
      throw ApiException.badParameter("verdict", "verdict '" + verdict + "' is not one of healthy, suspect, failed");
    }
    int max = MAX_LIMIT;
    if (limit != null) {
      try {
        max = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > MAX_LIMIT) {
        throw ApiException.badParameter("limit", "limit '" + limit + "' is not a number from 1 to " + MAX_LIMIT);
      }
    }
    List<DeployEvent> found = recorder.store().find(new DeployQuery(fromAt, toAt,
        target == null || target.isBlank() ? null : target.trim(), verdict, max));
    return new DeployList(Instant.ofEpochMilli(fromAt).toString(), Instant.ofEpochMilli(toAt).toString(),
        found.size(), found);
  }

  @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
  public DeployEvent one(@PathVariable String id) {
    return byId(id);
  }

  @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public HttpResponse<Map<String, Object>> post(HttpRequest<?> request, @Nullable @Body byte[] body) {
    byte[] raw = Bodies.capped(body);
    String key = request.getHeaders().get("Idempotency-Key");
    long now = clock.millis();
    DeployEvent event = GenericDeployReader.read(Payload.parse(raw), "cli",
        key != null && !key.isBlank() ? key : DeployEvent.idFor(new String(raw, java.nio.charset.StandardCharsets.UTF_8)),
        key, now, true);
    DeployRecorder.Outcome outcome = recorder.record(List.of(event));
    boolean fresh = !outcome.recorded().isEmpty();
    return HttpResponse.<Map<String, Object>>status(fresh ? HttpStatus.CREATED : HttpStatus.OK)
        .body(Map.of("id", event.id(), "recorded", fresh, "event", byId(event.id())));
  }

  DeployEvent byId(String id) {
    return recorder.store().byId(id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "id",
        "no deploy event with id '" + id + "'"));
  }

  static long instant(String parameter, String value, long defaultValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    Long t = Payload.parseTimeOrNull(value.trim());
    if (t == null) {
      throw ApiException.badParameter(parameter, parameter + " '" + value
          + "' is neither RFC 3339 (e.g. 2026-11-23T02:13:00Z) nor epoch milliseconds");
    }
    return t;
  }
}
