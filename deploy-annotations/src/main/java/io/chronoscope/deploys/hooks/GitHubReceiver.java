package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;

/**
 * GitHub {@code deployment} and {@code deployment_status} webhooks, signed with
 * {@code X-Hub-Signature-256: sha256=<hex HMAC of the body>}; {@code X-GitHub-Delivery} is the
 * dedup key (GitHub keeps it on redelivery).
 */
public final class GitHubReceiver implements HookReceiver {
  static final String SIGNATURE = "X-Hub-Signature-256";

  @Override
  public String source() {
    return "github";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String offered = r.header(SIGNATURE);
    if (offered == null) {
      throw Signatures.unauthorized(SIGNATURE, "missing " + SIGNATURE
          + ": set the webhook's secret in GitHub to the value of CHRONOSCOPE_HOOK_SECRET_GITHUB");
    }
    if (!offered.startsWith("sha256=")
        || !Signatures.hexMatches(Signatures.hmacSha256(secret, r.body()), offered.substring(7))) {
      throw Signatures.unauthorized(SIGNATURE, SIGNATURE + " does not match the body signed with"
          + " CHRONOSCOPE_HOOK_SECRET_GITHUB");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    String event = r.header("X-GitHub-Event");
    if (event == null) {
      throw ApiException.badParameter("X-GitHub-Event", "missing header X-GitHub-Event");
    }
    if (!event.equals("deployment") && !event.equals("deployment_status")) {
      return Parsed.ignored("GitHub event '" + event + "' is not a deployment; subscribe to Deployments and"
          + " Deployment statuses only");
    }
    String delivery = r.header("X-GitHub-Delivery");
    if (delivery == null) {
      throw ApiException.badParameter("X-GitHub-Delivery", "missing header X-GitHub-Delivery");
    }
    Payload p = Payload.parse(r.body());
    Payload deployment = p.object("deployment");
    String repo = p.required("repository.full_name");
    String service = p.text("repository.name") != null ? p.text("repository.name")
        : repo.substring(repo.indexOf('/') + 1);
    DeployEvent.Builder b = DeployEvent.builder("github", delivery).delivery(delivery, r.receivedAt(), true)
        .commit(deployment.required("sha")).ref(deployment.text("ref")).repo(repo)
        .version(deployment.text("payload.version") != null ? deployment.text("payload.version")
            : deployment.text("ref"))
        .startedAt(deployment.time("created_at"))
        .initiator(deployment.text("creator.login"))
        .changeCause(deployment.text("description"))
        .pipelineUrl(p.text("repository.html_url") == null ? null : p.text("repository.html_url") + "/deployments")
        .attribute("task", deployment.text("task"))
        .attribute("deployment_id", deployment.text("id"));
    String environment = deployment.required("environment");
    if (event.equals("deployment")) {
      return Parsed.of(b.phase("started").at(deployment.requiredTime("created_at"))
          .target(target(deployment, service, environment)).build());
    }
    Payload status = p.object("deployment_status");
    String state = status.required("state");
    String phase = switch (state) {
      case "success" -> "succeeded";
      case "failure", "error" -> "failed";
      case "pending", "queued" -> "started";
      case "in_progress" -> "progressing";
      case "inactive" -> null;
      default -> throw ApiException.badParameter("deployment_status.state", "deployment_status.state '" + state
          + "' is not one of error, failure, inactive, in_progress, queued, pending, success");
    };
    if (phase == null) {
      return Parsed.ignored("an inactive deployment status only says a later deployment replaced this one");
    }
    long at = status.time("updated_at") != null ? status.time("updated_at") : status.requiredTime("created_at");
    b.phase(phase).at(at).runUrl(status.text("target_url")).logUrl(status.text("log_url"))
        .attribute("environment_url", status.text("environment_url"))
        .target(target(deployment, service, status.text("environment") != null
            ? status.text("environment") : environment));
    if (!"started".equals(phase) && !"progressing".equals(phase)) {
      b.finishedAt(at);
    }
    if (status.text("description") != null) {
      b.changeCause(status.text("description"));
    }
    return Parsed.of(b.build());
  }

  /** A deployment's payload may name the Kubernetes workload, which lets stitching trust it more. */
  private static Target target(Payload deployment, String service, String environment) {
    return new Target(deployment.text("payload.cluster"), deployment.text("payload.namespace"),
        deployment.text("payload.workload") == null ? null : "deployment", deployment.text("payload.workload"),
        service, environment);
  }
}
