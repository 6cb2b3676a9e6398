package io.chronoscope.deploys.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;
import java.util.Iterator;
import java.util.Map;

/**
 * Our own deploy JSON, for the Standard Webhooks endpoint and {@code POST /api/v1/deploys} (the
 * {@code annotate} CLI): flat fields named as in the event model. {@code service} or
 * {@code workload} is required; {@code kind} defaults to deploy and {@code phase} to succeeded.
 */
public final class GenericDeployReader {
  private GenericDeployReader() {}

  public static DeployEvent read(Payload p, String system, String dedupKey, String deliveryId, long receivedAt,
      boolean verified) {
    String service = p.text("service");
    String workload = p.text("workload");
    if (service == null && workload == null) {
      throw ApiException.badParameter("service", "missing field 'service' (or 'workload')");
    }
    String kind = p.text("kind") == null ? "deploy" : p.text("kind");
    if (!DeployEvent.KINDS.contains(kind)) {
      throw ApiException.badParameter("kind", "kind '" + kind + "' is not one of " + DeployEvent.KINDS);
    }
    String phase = p.text("phase") == null ? "succeeded" : p.text("phase");
    if (!DeployEvent.PHASES.contains(phase)) {
      throw ApiException.badParameter("phase", "phase '" + phase + "' is not one of " + DeployEvent.PHASES);
    }
    Long at = p.time("at");
    DeployEvent.Builder b = DeployEvent.builder(system, dedupKey).delivery(deliveryId, receivedAt, verified)
        .kind(kind).phase(phase).at(at != null ? at : receivedAt)
        .startedAt(p.time("startedAt")).finishedAt(p.time("finishedAt"))
        .target(new Target(p.text("cluster"), p.text("namespace"), p.text("workloadKind") == null && workload != null
            ? "deployment" : p.text("workloadKind"), workload, service, p.text("environment")))
        .version(p.text("version")).previousVersion(p.text("previousVersion"))
        .revision(p.text("revision")).previousRevision(p.text("previousRevision"))
        .chart(p.text("chart")).commit(p.text("commit")).repo(p.text("repo")).ref(p.text("ref"))
        .compareUrl(p.text("compareUrl")).changeCause(p.text("message") != null ? p.text("message")
            : p.text("changeCause"))
        .pipelineUrl(p.text("pipelineUrl")).runUrl(p.text("url") != null ? p.text("url") : p.text("runUrl"))
        .logUrl(p.text("logUrl")).initiator(p.text("initiator"));
    for (String image : p.strings("images")) {
      b.image(Image.parse(image));
    }
    p.strings("tags").forEach(b::tag);
    JsonNode attributes = p.node("attributes");
    if (attributes != null) {
      if (!attributes.isObject()) {
        throw ApiException.badParameter("attributes", "'attributes' must be an object of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        b.attribute(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
      }
    }
    return b.build();
  }
}
