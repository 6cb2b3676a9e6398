package io.chronoscope.deploys.api;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.hooks.GenericDeployReader;
import io.chronoscope.deploys.hooks.Payload;
import io.chronoscope.deploys.store.DeployQuery;
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

  private final DeployRecorder recorder;
  private final Clock clock;

  public DeploysController(DeployRecorder recorder, Clock clock) {
    this.recorder = recorder;
    this.clock = clock;
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
