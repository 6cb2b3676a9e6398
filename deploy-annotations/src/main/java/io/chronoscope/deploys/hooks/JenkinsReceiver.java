package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;

/**
 * The Jenkins Notification plugin's JSON. The plugin can set neither headers nor signatures, so
 * the secret travels in the URL ({@code ?token=}) or, from a pipeline's own httpRequest, in
 * {@code Authorization: Bearer}. Deduplicated on job + build number + phase. Build parameters
 * {@code SERVICE}, {@code VERSION}, {@code ENVIRONMENT}, {@code NAMESPACE} name the target.
 */
public final class JenkinsReceiver implements HookReceiver {
  @Override
  public String source() {
    return "jenkins";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String offered = r.query("token") != null ? r.query("token") : Signatures.bearerOrBasicPassword(r);
    if (offered == null) {
      throw Signatures.unauthorized("token", "missing token: point the notification endpoint at"
          + " /api/v1/hooks/jenkins?token=<CHRONOSCOPE_HOOK_SECRET_JENKINS>");
    }
    if (!Signatures.secretMatches(secret, offered)) {
      throw Signatures.unauthorized("token", "the token is not CHRONOSCOPE_HOOK_SECRET_JENKINS");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    Payload p = Payload.parse(r.body());
    String job = p.required("name");
    String number = p.required("build.number");
    String buildPhase = p.required("build.phase");
    String status = p.text("build.status");
    String phase = switch (buildPhase) {
      case "QUEUED", "STARTED" -> "started";
      case "COMPLETED", "FINALIZED" -> switch (status == null ? "" : status) {
        case "SUCCESS" -> "succeeded";
        case "FAILURE", "UNSTABLE" -> "failed";
        case "ABORTED", "NOT_BUILT" -> "cancelled";
        default -> throw ApiException.badParameter("build.status", "build.status '" + status
            + "' is not one of SUCCESS, FAILURE, UNSTABLE, ABORTED, NOT_BUILT");
      };
      default -> throw ApiException.badParameter("build.phase", "build.phase '" + buildPhase
          + "' is not one of QUEUED, STARTED, COMPLETED, FINALIZED");
    };
    String service = p.text("build.parameters.SERVICE") != null ? p.text("build.parameters.SERVICE") : job;
    Long timestamp = p.time("build.timestamp");
    long at = timestamp != null && phase.equals("started") ? timestamp : r.receivedAt();
    String fullUrl = p.text("build.full_url");
    DeployEvent.Builder b = DeployEvent.builder("jenkins", job + ":" + number + ":" + buildPhase)
        .delivery(null, r.receivedAt(), true).phase(phase).at(at).startedAt(timestamp)
        .target(new Target(null, p.text("build.parameters.NAMESPACE"), null, null, service,
            p.text("build.parameters.ENVIRONMENT")))
        .version(p.text("build.parameters.VERSION") != null ? p.text("build.parameters.VERSION") : "#" + number)
        .commit(p.text("build.scm.commit")).repo(p.text("build.scm.url")).ref(p.text("build.scm.branch"))
        .runUrl(fullUrl).logUrl(fullUrl == null ? null : fullUrl + "console")
        .pipelineUrl(p.text("url"))
        .attribute("job", job).attribute("build", number);
    if (!phase.equals("started")) {
      b.finishedAt(at);
    }
    return Parsed.of(b.build());
  }
}
