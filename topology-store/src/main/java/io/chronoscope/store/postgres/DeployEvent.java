package io.chronoscope.store.postgres;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deploy as stored: {@code dedupKey} is the source's natural key (a GitHub delivery id, an Argo
 * app + revision + phase), so a webhook delivered twice is recorded once.
 *
 * @param at      epoch ms the deploy happened
 * @param target  what was deployed, e.g. {@code prod/payments/api}
 * @param payload everything else the source said, kept as JSON
 */
public record DeployEvent(String dedupKey, long at, String target, Map<String, Object> payload) {
  public DeployEvent {
    if (dedupKey == null || dedupKey.isBlank()) {
      throw new IllegalArgumentException("a deploy event needs a dedup key");
    }
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("a deploy event needs a target");
    }
    // JSON may carry nulls, which Map.copyOf refuses.
    payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
  }
}
