package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.micronaut.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Our generic endpoint, signed the Standard Webhooks way: {@code webhook-signature} holds
 * space-separated {@code v1,<base64 HMAC-SHA256>} of {@code <webhook-id>.<webhook-timestamp>.<body>}
 * with the secret ({@code whsec_<base64 key>}, or the raw text); a timestamp more than five
 * minutes from our clock is refused, so a captured request cannot be replayed later.
 */
public final class StandardWebhooksReceiver implements HookReceiver {
  static final Duration TOLERANCE = Duration.ofMinutes(5);

  private final Clock clock;

  public StandardWebhooksReceiver(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String source() {
    return "generic";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String id = requiredHeader(r, "webhook-id");
    String timestamp = requiredHeader(r, "webhook-timestamp");
    String signatures = requiredHeader(r, "webhook-signature");
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw Signatures.unauthorized("webhook-timestamp", "webhook-timestamp '" + timestamp
          + "' is not Unix seconds");
    }
    long skew = Math.abs(clock.millis() / 1000 - seconds);
    if (skew > TOLERANCE.toSeconds()) {
      throw Signatures.unauthorized("webhook-timestamp", "webhook-timestamp " + seconds + " is " + skew
          + " s from this server's clock, outside the tolerance of " + TOLERANCE.toSeconds()
          + " s: a stale or replayed delivery (or a clock that needs NTP)");
    }
    byte[] expected = Signatures.hmac("HmacSHA256", key(secret),
        (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), r.body());
    for (String candidate : signatures.split(" ")) {
      if (candidate.startsWith("v1,") && Signatures.base64Matches(expected, candidate.substring(3))) {
        return;
      }
    }
    throw Signatures.unauthorized("webhook-signature", "no v1 signature in webhook-signature matches the"
        + " body signed with CHRONOSCOPE_HOOK_SECRET_GENERIC");
  }

  @Override
  public Parsed parse(HookRequest r) {
    String id = r.header("webhook-id");
    return Parsed.of(GenericDeployReader.read(Payload.parse(r.body()), "generic", id, id, r.receivedAt(), true));
  }

  static byte[] key(String secret) {
    if (secret.startsWith("whsec_")) {
      try {
        return Base64.getDecoder().decode(secret.substring(6));
      } catch (IllegalArgumentException e) {
        throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, null, "CHRONOSCOPE_HOOK_SECRET_GENERIC starts"
            + " with whsec_ but the rest is not base64");
      }
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  private static String requiredHeader(HookRequest r, String name) {
    String v = r.header(name);
    if (v == null) {
      throw Signatures.unauthorized(name, "missing header " + name + " (Standard Webhooks signing)");
    }
    return v;
  }
}
