package io.chronoscope.deploys;

import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;

/** Deploy events for tests, built the way receivers build them. */
public final class Events {
  public static final long T0 = java.time.Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();

  private Events() {}

  public static DeployEvent rollout(String key, long at, String namespace, String workload, String revision,
      String phase, String digest) {
    return DeployEvent.builder("kubernetes", key).delivery(null, at, true).at(at).phase(phase)
        .target(new Target("prod", namespace, "deployment", workload, null, null))
        .revision(revision).image(new Image("ghcr.io/acme/" + workload, "1.0." + revision, digest)).build();
  }

  public static DeployEvent pipeline(String system, String key, long at, String service, String commit,
      String phase) {
    return DeployEvent.builder(system, key).delivery(key, at, true).at(at).phase(phase)
        .target(Target.service(service, "production")).commit(commit).version("v-" + commit.substring(0, 7))
        .build();
  }
}
