package io.chronoscope.deploys.hooks;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;

/**
 * Spinnaker echo's REST events ({@code rest.endpoints} in echo.yml), wrapped
 * ({@code {"eventName", "payload"}}) or not; only {@code orca:pipeline:*} and
 * {@code orca:stage:*} are deploys. Authenticated by basic auth ({@code username}/{@code password})
 * or an {@code Authorization: Bearer} header carrying the secret.
 */
public final class SpinnakerReceiver implements HookReceiver {
  @Override
  public String source() {
    return "spinnaker";
  }

  @Override
  public void verify(HookRequest r, String secret) {
    String offered = Signatures.bearerOrBasicPassword(r);
    if (offered == null) {
      throw Signatures.unauthorized("Authorization", "missing Authorization: give the echo rest endpoint"
          + " username/password (password = CHRONOSCOPE_HOOK_SECRET_SPINNAKER) or an Authorization header");
    }
    if (!Signatures.secretMatches(secret, offered)) {
      throw Signatures.unauthorized("Authorization", "the credentials are not CHRONOSCOPE_HOOK_SECRET_SPINNAKER");
    }
  }

  @Override
  public Parsed parse(HookRequest r) {
    Payload outer = Payload.parse(r.body());
    Payload p = outer.has("eventName") && outer.has("payload") ? outer.object("payload") : outer;
    String type = p.required("details.type");
    if (!type.startsWith("orca:pipeline:") && !type.startsWith("orca:stage:")) {
      return Parsed.ignored("Spinnaker event '" + type + "' is not a pipeline or stage event");
    }
    String application = p.required("details.application");
    Payload execution = p.object("content.execution");
    String executionId = execution.required("id");
    String stage = p.text("content.context.stageDetails.name");
    String phase = switch (type.substring(type.lastIndexOf(':') + 1)) {
      case "starting" -> "started";
      case "complete" -> "succeeded";
      case "failed" -> "failed";
      default -> null;
    };
    if (phase == null) {
      return Parsed.ignored("Spinnaker event '" + type + "' is not a change of state");
    }
    if ("CANCELED".equals(execution.text("status"))) {
      phase = "cancelled";
    }
    String key = p.text("eventId") != null ? p.text("eventId")
        : executionId + ":" + type + (stage == null ? "" : ":" + stage);
    Long created = p.time("details.created");
    long at = created != null ? created : r.receivedAt();
    DeployEvent.Builder b = DeployEvent.builder("spinnaker", key).delivery(p.text("eventId"), r.receivedAt(), true)
        .phase(phase).at(at).startedAt(execution.time("startTime"))
        .finishedAt(phase.equals("started") ? null : execution.time("endTime"))
        .target(Target.service(application, null))
        .initiator(execution.text("trigger.user") != null ? execution.text("trigger.user")
            : execution.text("authentication.user"))
        .version(execution.text("trigger.tag"))
        .commit(execution.text("trigger.hash"))
        .attribute("pipeline", execution.text("name")).attribute("executionId", executionId)
        .attribute("stage", stage);
    var artifacts = execution.node("trigger.artifacts");
    if (artifacts != null && artifacts.isArray()) {
      artifacts.forEach(a -> {
        String t = a.path("type").asText("");
        if (t.startsWith("docker") && !a.path("reference").asText("").isBlank()) {
          b.image(Image.parse(a.path("reference").asText()));
        }
      });
    }
    return Parsed.of(b.build());
  }
}
