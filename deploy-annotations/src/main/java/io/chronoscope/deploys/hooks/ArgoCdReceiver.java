package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;

/**
 * Argo CD notifications' webhook service, with the body template the README gives (app, revision,
 * operation phase, images, history id), authenticated by {@code Authorization: Bearer} or basic
 * auth carrying the secret. Deduplicated on app + revision + phase.
 */
public final class ArgoCdReceiver implements HookReceiver {
  @Override
  public String source() {
    return "argocd";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String offered = Signatures.bearerOrBasicPassword(r);
    if (offered == null) {
      throw Signatures.unauthorized("Authorization", "missing Authorization: add the header"
          + " 'Authorization: Bearer $chronoscope-hook-secret' to service.webhook.chronoscope in argocd-notifications-cm");
    }
    if (!Signatures.secretMatches(secret, offered)) {
      throw Signatures.unauthorized("Authorization", "the bearer token is not CHRONOSCOPE_HOOK_SECRET_ARGOCD");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    Payload p = Payload.parse(r.body());
    String app = p.required("app");
    String revision = p.required("revision");
    String operationPhase = p.required("phase");
    String health = p.text("health");
    String phase = switch (operationPhase) {
      case "Running" -> "progressing";
      case "Succeeded" -> "Degraded".equals(health) ? "failed" : "succeeded";
      case "Failed", "Error" -> "failed";
      case "Terminating" -> "cancelled";
      default -> throw ApiException.badParameter("phase", "phase '" + operationPhase
          + "' is not an Argo CD operation phase (Running, Succeeded, Failed, Error, Terminating)");
    };
    Long started = p.time("startedAt");
    Long finished = phase.equals("progressing") ? null : p.time("finishedAt");
    long at = finished != null ? finished : started != null ? started : r.receivedAt();
    DeployEvent.Builder b = DeployEvent.builder("argocd", app + ":" + revision + ":" + operationPhase)
        .delivery(null, r.receivedAt(), true).phase(phase).at(at).startedAt(started).finishedAt(finished)
        .target(new Target(p.text("cluster"), p.text("namespace"), null, null, app, p.text("project")))
        .revision(revision).commit(revision.matches("[0-9a-f]{40}") ? revision : null)
        .version(p.text("version") != null ? p.text("version") : revision)
        .repo(p.text("repo")).initiator(p.text("initiatedBy")).changeCause(p.text("message"))
        .runUrl(p.text("url"))
        .attribute("historyId", p.text("historyId")).attribute("syncStatus", p.text("syncStatus"))
        .attribute("health", health);
    if ("true".equals(p.text("rollback"))) {
      b.kind("rollback");
    }
    for (String image : p.strings("images")) {
      b.image(Image.parse(image));
    }
    return Parsed.of(b.build());
  }
}
