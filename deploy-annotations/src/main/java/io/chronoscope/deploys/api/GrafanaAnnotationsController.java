package io.chronoscope.deploys.api;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.hooks.GrafanaAnnotationReader;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Grafana's annotation API, so Argo CD's and Flux's Grafana notifiers can point at Chronoscope
 * unchanged ({@code address: https://chronoscope/api/annotations}); authenticated by the API token
 * as a Bearer key, like Grafana's own API keys.
 */
@Controller("/api/annotations")
public class GrafanaAnnotationsController {
  private final DeployRecorder recorder;
  private final Clock clock;

  public GrafanaAnnotationsController(DeployRecorder recorder, Clock clock) {
    this.recorder = recorder;
    this.clock = clock;
  }

  @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public Map<String, Object> annotate(@Nullable @Body byte[] body) {
    return record(body);
  }

  @Post(uri = "/graphite", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public Map<String, Object> graphite(@Nullable @Body byte[] body) {
    return record(body);
  }

  private Map<String, Object> record(byte[] body) {
    DeployEvent event = GrafanaAnnotationReader.read(Bodies.capped(body), clock.millis());
    DeployRecorder.Outcome outcome = recorder.record(List.of(event));
    return Map.of("message", outcome.recorded().isEmpty() ? "Annotation already added" : "Annotation added",
        "id", event.id());
  }
}
