package io.chronoscope.deploys.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Image;
import io.chronoscope.deploys.DeployEvent.Target;
import io.chronoscope.model.Json;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Deploy events read from Kubernetes objects: Deployment revisions (phase from the Progressing
 * condition, rollbacks from the new ReplicaSet's {@code deployment.kubernetes.io/revision-history}),
 * StatefulSet and DaemonSet ControllerRevisions, Helm release Secrets, and changed ConfigMaps or
 * Secrets as {@code config} events of the workloads that reference them.
 */
public final class RolloutEvents {
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
  static final String HELM_RELEASE_TYPE = "helm.sh/release.v1";

  private final String cluster;

  public RolloutEvents(String cluster) {
    this.cluster = cluster;
  }

  /**
   * The event of a Deployment's current revision, given the ReplicaSet of that revision (null when
   * not created yet) and the revision it replaced.
   */
  public Optional<DeployEvent> deployment(Deployment d, ReplicaSet newRs, String previousRevision, long now) {
    String revision = annotation(d, REVISION);
    if (revision == null) {
      return Optional.empty();
    }
    DeploymentCondition progressing = d.getStatus() == null || d.getStatus().getConditions() == null ? null
        : d.getStatus().getConditions().stream().filter(c -> "Progressing".equals(c.getType())).findFirst()
            .orElse(null);
    String reason = progressing == null ? null : progressing.getReason();
    String phase;
    if ("NewReplicaSetAvailable".equals(reason)) {
      phase = "succeeded";
    } else if ("ProgressDeadlineExceeded".equals(reason)) {
      phase = "stuck";
    } else {
      phase = "progressing";
    }
    Long conditionTime = progressing == null ? null
        : time(progressing.getLastUpdateTime() != null ? progressing.getLastUpdateTime()
            : progressing.getLastTransitionTime());
    String history = newRs == null ? null : annotation(newRs, REVISION_HISTORY);
    String rsUid = newRs == null ? d.getMetadata().getUid() : newRs.getMetadata().getUid();
    Long started = newRs == null ? null : time(newRs.getMetadata().getCreationTimestamp());
    long at = conditionTime != null ? conditionTime : now;
    DeployEvent.Builder b = DeployEvent.builder("kubernetes", rsUid + ":" + revision + ":" + phase)
        .delivery(d.getMetadata().getResourceVersion(), now, true)
        .kind(history != null ? "rollback" : "deploy").phase(phase).at(at).startedAt(started)
        .finishedAt(phase.equals("progressing") ? null : at)
        .target(target(d, "deployment")).revision(revision).previousRevision(previousRevision)
        .changeCause(annotation(d, CHANGE_CAUSE) != null ? annotation(d, CHANGE_CAUSE)
            : progressing == null ? null : progressing.getMessage())
        .attribute("replicaSet", newRs == null ? null : newRs.getMetadata().getName())
        .attribute("reason", reason);
    if (history != null) {
      // A rolled-back-to ReplicaSet keeps the revisions it had before as its history.
      String[] earlier = history.split(",");
      b.attribute("rolledBackTo", earlier[earlier.length - 1].trim());
    }
    images(d.getSpec().getTemplate().getSpec()).forEach(b::image);
    version(d.getSpec().getTemplate().getSpec()).ifPresent(b::version);
    return Optional.of(b.build());
  }

  /**
   * The event of a StatefulSet's or DaemonSet's update revision: {@code revision} is the number of
   * its ControllerRevision; {@code done} whether every replica runs it.
   */
  public DeployEvent controllerRevision(HasMetadata workload, String kind, PodSpec template, String revisionName,
      long revision, String previousRevision, boolean done, long now) {
    String phase = done ? "succeeded" : "progressing";
    DeployEvent.Builder b = DeployEvent.builder("kubernetes", workload.getMetadata().getUid() + ":" + revision + ":" + phase)
        .delivery(workload.getMetadata().getResourceVersion(), now, true).phase(phase).at(now)
        .finishedAt(done ? now : null).target(target(workload, kind)).revision(Long.toString(revision))
        .previousRevision(previousRevision).attribute("controllerRevision", revisionName)
        .changeCause(annotation(workload, CHANGE_CAUSE));
    images(template).forEach(b::image);
    version(template).ifPresent(b::version);
    return b.build();
  }

  /**
   * A Helm release Secret ({@code sh.helm.release.v1.<release>.v<N>}): its {@code release} data is
   * base64 (the Secret's) of base64 (Helm's) of gzip of the release JSON. Superseded releases say
   * nothing new.
   */
  public Optional<DeployEvent> helmRelease(Secret secret, long now) {
    if (!HELM_RELEASE_TYPE.equals(secret.getType()) || secret.getData() == null
        || secret.getData().get("release") == null) {
      return Optional.empty();
    }
    JsonNode release = decodeHelmRelease(secret.getData().get("release"));
    String status = release.path("info").path("status").asText("");
    String phase = switch (status) {
      case "deployed" -> "succeeded";
      case "failed" -> "failed";
      case "pending-install", "pending-upgrade", "pending-rollback" -> "progressing";
      case "uninstalling" -> "progressing";
      default -> null;
    };
    if (phase == null) {
      return Optional.empty();
    }
    String name = release.path("name").asText();
    long version = release.path("version").asLong();
    String description = release.path("info").path("description").asText("");
    JsonNode chart = release.path("chart").path("metadata");
    Long deployed = time(release.path("info").path("last_deployed").asText(null));
    long at = deployed != null ? deployed : now;
    DeployEvent.Builder b = DeployEvent.builder("helm", secret.getMetadata().getName() + ":" + status)
        .delivery(secret.getMetadata().getResourceVersion(), now, true)
        .kind(description.startsWith("Rollback") || status.equals("pending-rollback") ? "rollback" : "deploy")
        .phase(phase).at(at).finishedAt(phase.equals("progressing") ? null : at)
        .target(new Target(cluster, release.path("namespace").asText(secret.getMetadata().getNamespace()),
            "helmrelease", name, null, null))
        .revision(Long.toString(version)).previousRevision(version > 1 ? Long.toString(version - 1) : null)
        .version(chart.path("appVersion").asText(null))
        .chart(chart.path("name").asText("") + "-" + chart.path("version").asText(""))
        .changeCause(description)
        .attribute("release", name).attribute("helmRevision", Long.toString(version));
    if (description.startsWith("Rollback to ")) {
      b.attribute("rolledBackTo", description.substring("Rollback to ".length()).trim());
    }
    return Optional.of(b.build());
  }

  static JsonNode decodeHelmRelease(String secretData) {
    try {
      byte[] helmValue = Base64.getDecoder().decode(secretData);
      byte[] gzipped = Base64.getDecoder().decode(new String(helmValue, java.nio.charset.StandardCharsets.US_ASCII));
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
        return Json.mapper().readTree(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("a helm.sh/release.v1 Secret whose release data is not"
          + " base64(base64(gzip(JSON))): " + e.getMessage(), e);
    }
  }

  /** A changed ConfigMap as a {@code config} event of one workload that uses it. */
  public DeployEvent configChange(HasMetadata config, String configKind, HasMetadata workload, String workloadKind,
      long now) {
    return DeployEvent.builder("kubernetes", config.getMetadata().getUid() + ":" + config.getMetadata().getResourceVersion()
        + ":" + workloadKind + "/" + workload.getMetadata().getName())
        .delivery(config.getMetadata().getResourceVersion(), now, true).kind("config").phase("succeeded").at(now)
        .finishedAt(now).target(target(workload, workloadKind))
        .changeCause(configKind + " " + config.getMetadata().getName() + " changed")
        .attribute("configKind", configKind).attribute("configName", config.getMetadata().getName())
        .build();
  }

  /** Whether a pod template reads the ConfigMap ({@code configMap}) or Secret ({@code secret}) named. */
  public static boolean references(PodSpec spec, String configKind, String name) {
    boolean configMap = configKind.equals("ConfigMap");
    List<Container> containers = new ArrayList<>();
    if (spec.getContainers() != null) {
      containers.addAll(spec.getContainers());
    }
    if (spec.getInitContainers() != null) {
      containers.addAll(spec.getInitContainers());
    }
    for (Container c : containers) {
      if (c.getEnvFrom() != null && c.getEnvFrom().stream().anyMatch(e -> configMap
          ? e.getConfigMapRef() != null && name.equals(e.getConfigMapRef().getName())
          : e.getSecretRef() != null && name.equals(e.getSecretRef().getName()))) {
        return true;
      }
      if (c.getEnv() != null && c.getEnv().stream().anyMatch(e -> e.getValueFrom() != null && (configMap
          ? e.getValueFrom().getConfigMapKeyRef() != null && name.equals(e.getValueFrom().getConfigMapKeyRef().getName())
          : e.getValueFrom().getSecretKeyRef() != null && name.equals(e.getValueFrom().getSecretKeyRef().getName())))) {
        return true;
      }
    }
    return spec.getVolumes() != null && spec.getVolumes().stream().anyMatch(v -> configMap
        ? v.getConfigMap() != null && name.equals(v.getConfigMap().getName())
        : v.getSecret() != null && name.equals(v.getSecret().getSecretName()));
  }

  /** Whether the data a workload would read changed (not just labels or annotations). */
  public static boolean dataChanged(ConfigMap before, ConfigMap after) {
    return !Objects.equals(before.getData(), after.getData())
        || !Objects.equals(before.getBinaryData(), after.getBinaryData());
  }

  private Target target(HasMetadata workload, String kind) {
    return new Target(cluster, workload.getMetadata().getNamespace(), kind, workload.getMetadata().getName(),
        null, null);
  }

  private static List<Image> images(PodSpec spec) {
    List<Image> images = new ArrayList<>();
    if (spec != null && spec.getContainers() != null) {
      spec.getContainers().forEach(c -> images.add(Image.parse(c.getImage())));
    }
    return images;
  }

  /** The first container's tag stands for the workload's version. */
  private static Optional<String> version(PodSpec spec) {
    return images(spec).stream().map(Image::tag).filter(Objects::nonNull).findFirst();
  }

  static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static Long time(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
