package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;

/**
 * GitLab's Deployment Hook, authenticated by {@code X-Gitlab-Token} (the webhook's secret token);
 * deduplicated on {@code Idempotency-Key} (kept across GitLab's retries), else deployment id and
 * status.
 */
public final class GitLabReceiver implements HookReceiver {
  static final String TOKEN = "X-Gitlab-Token";

  @Override
  public String source() {
    return "gitlab";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String offered = r.header(TOKEN);
    if (offered == null) {
      throw Signatures.unauthorized(TOKEN, "missing " + TOKEN
          + ": set the webhook's secret token in GitLab to the value of CHRONOSCOPE_HOOK_SECRET_GITLAB");
    }
    if (!Signatures.secretMatches(secret, offered)) {
      throw Signatures.unauthorized(TOKEN, TOKEN + " is not CHRONOSCOPE_HOOK_SECRET_GITLAB");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    Payload p = Payload.parse(r.body());
    String kind = p.required("object_kind");
    if (!kind.equals("deployment")) {
      return Parsed.ignored("GitLab '" + kind + "' events are not deployments; tick only Deployment events");
    }
    String deploymentId = p.required("deployment_id");
    String status = p.required("status");
    String phase = switch (status) {
      case "created", "blocked" -> "started";
      case "running" -> "progressing";
      case "success" -> "succeeded";
      case "failed" -> "failed";
      case "canceled", "skipped" -> "cancelled";
      default -> throw ApiException.badParameter("status", "status '" + status
          + "' is not one of created, running, success, failed, canceled, skipped, blocked");
    };
    String key = r.header("Idempotency-Key") != null ? r.header("Idempotency-Key") : deploymentId + ":" + status;
    long at = p.requiredTime("status_changed_at");
    String commitUrl = p.text("commit_url");
    String commit = commitUrl != null && commitUrl.contains("/commit/")
        ? commitUrl.substring(commitUrl.lastIndexOf('/') + 1) : p.text("short_sha");
    String service = p.required("project.name");
    DeployEvent.Builder b = DeployEvent.builder("gitlab", key).delivery(r.header("Idempotency-Key"), r.receivedAt(), true)
        .phase(phase).at(at).target(Target.service(service, p.required("environment")))
        .version(p.text("ref")).ref(p.text("ref")).commit(commit)
        .repo(p.text("project.web_url") != null ? p.text("project.web_url") : p.text("project.path_with_namespace"))
        .runUrl(p.text("deployable_url")).pipelineUrl(p.text("project.web_url") == null ? null
            : p.text("project.web_url") + "/-/environments")
        .initiator(p.text("user.username")).changeCause(p.text("commit_title"))
        .attribute("deployment_id", deploymentId)
        .attribute("environment_tier", p.text("environment_tier"))
        .attribute("environment_url", p.text("environment_external_url"));
    if (phase.equals("succeeded") || phase.equals("failed") || phase.equals("cancelled")) {
      b.finishedAt(at);
    }
    return Parsed.of(b.build());
  }
}
