package io.chronoscope.deploys.hooks;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;
import java.util.Locale;
import java.util.Map;

/**
 * Flux notification-controller events from a {@code generic-hmac} Provider
 * ({@code X-Signature: sha256=<hex HMAC of the body>}, key = the secret's {@code token}) or a
 * {@code generic} Provider whose secret adds {@code Authorization: Bearer <secret>} as a header.
 * Deduplicated on object uid + revision + reason: Flux repeats "ReconciliationSucceeded" for the
 * same revision on every interval, and that is one event.
 */
public final class FluxReceiver implements HookReceiver {
  static final String SIGNATURE = "X-Signature";
  private static final Map<String, String> HMACS = Map.of("sha1", "HmacSHA1", "sha256", "HmacSHA256",
      "sha384", "HmacSHA384", "sha512", "HmacSHA512");

  @Override
  public String source() {
    return "flux";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String signature = r.header(SIGNATURE);
    if (signature != null) {
      int eq = signature.indexOf('=');
      String algorithm = eq < 0 ? null : HMACS.get(signature.substring(0, eq).toLowerCase(Locale.ROOT));
      if (algorithm == null || !Signatures.hexMatches(Signatures.hmac(algorithm,
          secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), r.body()), signature.substring(eq + 1))) {
        throw Signatures.unauthorized(SIGNATURE, SIGNATURE + " does not match the body signed with"
            + " CHRONOSCOPE_HOOK_SECRET_FLUX");
      }
      return;
    }
    String offered = Signatures.bearerOrBasicPassword(r);
    if (offered == null) {
      throw Signatures.unauthorized(SIGNATURE, "missing " + SIGNATURE + ": use a Provider of type generic-hmac"
          + " whose secret's token is CHRONOSCOPE_HOOK_SECRET_FLUX (or send Authorization: Bearer)");
    }
    if (!Signatures.secretMatches(secret, offered)) {
      throw Signatures.unauthorized("Authorization", "the bearer token is not CHRONOSCOPE_HOOK_SECRET_FLUX");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    Payload p = Payload.parse(r.body());
    Payload object = p.object("involvedObject");
    String kind = object.required("kind");
    String name = object.required("name");
    String namespace = object.required("namespace");
    String uid = object.text("uid") != null ? object.text("uid") : kind + "/" + namespace + "/" + name;
    String reason = p.required("reason");
    long at = p.requiredTime("timestamp");
    String revision = p.text("metadata.revision");
    String severity = p.text("severity");
    String phase;
    if (reason.contains("Fail") || "error".equals(severity)) {
      phase = "failed";
    } else if (reason.contains("Succeeded") || reason.contains("Complete")) {
      phase = "succeeded";
    } else if (reason.contains("Progressing") || reason.contains("Started")) {
      phase = "progressing";
    } else {
      return Parsed.ignored("Flux reason '" + reason + "' is not a change of state");
    }
    DeployEvent.Builder b = DeployEvent.builder("flux", uid + ":" + revision + ":" + reason)
        .delivery(null, r.receivedAt(), true).phase(phase).at(at)
        .kind(reason.startsWith("Rollback") || reason.startsWith("Uninstall") ? "rollback" : "deploy")
        .target(new Target(null, namespace, kind.toLowerCase(Locale.ROOT), name, null, null))
        .revision(revision).changeCause(p.text("message"))
        .attribute("reason", reason).attribute("controller", p.text("reportingController"))
        .attribute("summary", p.text("metadata.summary"));
    if (revision != null && revision.contains("sha1:")) {
      // Git sources: "main@sha1:<commit>"; the branch is the ref.
      b.commit(revision.substring(revision.indexOf("sha1:") + 5));
      b.ref(revision.contains("@") ? revision.substring(0, revision.indexOf('@')) : null);
    } else if (kind.equals("HelmRelease")) {
      b.chart(revision).version(revision);
    }
    if (!phase.equals("progressing")) {
      b.finishedAt(at);
    }
    return Parsed.of(b.build());
  }
}
