package io.chronoscope.deploys.hooks;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every webhook source by the name in its URL. */
public final class HookReceivers {
  private final Map<String, HookReceiver> bySource = new LinkedHashMap<>();

  public HookReceivers(List<HookReceiver> receivers) {
    receivers.forEach(r -> bySource.put(r.source(), r));
  }

  public static HookReceivers all(Clock clock) {
    return new HookReceivers(List.of(new GitHubReceiver(), new GitLabReceiver(), new FluxReceiver(),
        new ArgoCdReceiver(), new SpinnakerReceiver(), new JenkinsReceiver(), new StandardWebhooksReceiver(clock)));
  }

  public Optional<HookReceiver> get(String source) {
    return Optional.ofNullable(bySource.get(source));
  }

  public List<String> sources() {
    return List.copyOf(bySource.keySet());
  }
}
