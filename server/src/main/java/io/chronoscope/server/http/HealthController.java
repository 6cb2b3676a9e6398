package io.chronoscope.server.http;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.Map;

/** Liveness for load balancers and Kubernetes probes; needs no token. */
@Controller("/health")
public class HealthController {
  @Get
  public Map<String, String> health() {
    return Map.of("status", "up");
  }
}
