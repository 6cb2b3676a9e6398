package io.chronoscope.deploys.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How each source signs or authenticates a delivery, written from its documentation (not from our
 * receivers), so a test fails when a receiver checks something the source does not send.
 */
final class HookSigners {
  private HookSigners() {}

  /** Headers (and query) a source sends with {@code body}; {@code delivery} is its delivery id. */
  record Signed(Map<String, String> headers, String query) {}

  static Signed sign(String source, byte[] body, String secret, String delivery, long nowSeconds) {
    Map<String, String> h = new LinkedHashMap<>();
    String query = "";
    switch (source) {
      case "github" -> {
        h.put("X-GitHub-Event", new String(body, StandardCharsets.UTF_8).contains("\"deployment_status\"")
            ? "deployment_status" : "deployment");
        h.put("X-GitHub-Delivery", delivery);
        h.put("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body)));
      }
      case "gitlab" -> {
        h.put("X-Gitlab-Event", "Deployment Hook");
        h.put("X-Gitlab-Token", secret);
        h.put("Idempotency-Key", delivery);
      }
      case "flux" -> h.put("X-Signature", "sha256=" + HexFormat.of().formatHex(
          hmac(secret.getBytes(StandardCharsets.UTF_8), body)));
      case "argocd" -> h.put("Authorization", "Bearer " + secret);
      case "spinnaker" -> h.put("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString(("echo:" + secret).getBytes(StandardCharsets.UTF_8)));
      case "jenkins" -> query = "?token=" + secret;
      case "generic" -> {
        byte[] key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
            : secret.getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(nowSeconds);
        byte[] prefix = (delivery + "." + ts + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        h.put("webhook-id", delivery);
        h.put("webhook-timestamp", ts);
        h.put("webhook-signature", "v1,bm90IHRoaXMgb25l v1," + Base64.getEncoder().encodeToString(hmac(key, signed)));
      }
      default -> throw new IllegalArgumentException(source);
    }
    return new Signed(h, query);
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
