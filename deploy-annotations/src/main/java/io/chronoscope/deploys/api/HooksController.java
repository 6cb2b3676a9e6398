package io.chronoscope.deploys.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.hooks.HookReceiver;
import io.chronoscope.deploys.hooks.HookReceivers;
import io.chronoscope.deploys.hooks.HookRequest;
import io.chronoscope.deploys.hooks.HookSecrets;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import java.time.Clock;
import java.util.List;

/**
 * {@code POST /api/v1/hooks/{source}}: each source authenticates with its own signature or token
 * (the API token is not asked for: GitHub cannot send it). Order of checks: known source, size,
 * configured secret, signature, then parsing, so nothing unauthenticated is ever parsed.
 */
@Controller("/api/v1/hooks")
public class HooksController {
  private final DeployRecorder recorder;
  private final HookSecrets secrets;
  private final Clock clock;
  private final HookReceivers receivers;

  public HooksController(DeployRecorder recorder, HookSecrets secrets, Clock clock) {
    this.recorder = recorder;
    this.secrets = secrets;
    this.clock = clock;
    this.receivers = HookReceivers.all(clock);
  }

  /** What became of a delivery; {@code ignored} says why a delivery held no deploy. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Answer(String source, List<String> recorded, List<String> duplicates, String ignored) {}

  @Post(uri = "/{source}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public Answer receive(@PathVariable String source, HttpRequest<?> request,
      @Nullable @Body byte[] body) {
    HookReceiver receiver = receivers.get(source).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
        "source", "no webhook source '" + source + "'; the sources are " + String.join(", ", receivers.sources())));
    byte[] raw = Bodies.capped(body);
    String secret = secrets.secret(receiver.source()).orElseThrow(() -> new ApiException(HttpStatus.UNAUTHORIZED,
        "source", "webhooks from " + receiver.source() + " are refused until a secret is configured: set "
            + HookSecrets.variable(receiver.source()) + " on the Chronoscope server"));
    HookRequest hook = new HookRequest(receiver.source(), raw, Bodies.headers(request), Bodies.query(request),
        clock.millis());
    receiver.verify(hook, secret);
    HookReceiver.Parsed parsed = receiver.parse(hook);
    DeployRecorder.Outcome outcome = recorder.record(parsed.events());
    return new Answer(receiver.source(), outcome.recorded(), outcome.duplicates(), parsed.ignored());
  }
}
