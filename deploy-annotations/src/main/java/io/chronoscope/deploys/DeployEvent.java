package io.chronoscope.deploys;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One thing a pipeline, a GitOps controller or Kubernetes said about a change: a deploy, a
 * rollback, a config change or a scale, in one phase. The facts are what the source said; the
 * {@code deployId}, {@code manual} and {@code verdict} are derived later (stitching, judging) and
 * are the only parts a store ever rewrites.
 *
 * @param id        stable id derived from the dedup key, for {@code /api/v1/deploys/{id}}
 * @param dedupKey  the source's natural key (GitHub delivery id, Argo app + revision + phase, ...)
 * @param at        epoch ms this event happened (the phase change)
 * @param startedAt epoch ms the change started, when known
 * @param finishedAt epoch ms it finished, when known
 * @param deployId  the stitched deploy this event belongs to (CI run, GitOps sync, rollout)
 * @param manual    a rollout that no pipeline event matched
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeployEvent(String id, String dedupKey, Source source, String kind, String phase, long at,
    Long startedAt, Long finishedAt, Target target, String version, String previousVersion, String revision,
    String previousRevision, List<Image> images, String chart, String commit, String repo, String ref,
    String compareUrl, String changeCause, Links links, String initiator, List<String> tags,
    Map<String, String> attributes, String deployId, Boolean manual, Verdict verdict) {

  public static final Set<String> KINDS = Set.of("deploy", "rollback", "config", "scale");
  public static final Set<String> PHASES =
      Set.of("started", "progressing", "succeeded", "failed", "cancelled", "stuck");

  public DeployEvent {
    if (dedupKey == null || dedupKey.isBlank()) {
      throw new IllegalArgumentException("a deploy event needs a dedup key");
    }
    if (target == null) {
      throw new IllegalArgumentException("a deploy event needs a target");
    }
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("kind '" + kind + "' is not one of " + KINDS);
    }
    if (!PHASES.contains(phase)) {
      throw new IllegalArgumentException("phase '" + phase + "' is not one of " + PHASES);
    }
    id = id == null ? idFor(dedupKey) : id;
    images = images == null ? List.of() : List.copyOf(images);
    tags = tags == null ? List.of() : List.copyOf(tags);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** Who said it and how far it is to be trusted. */
  public record Source(String system, String deliveryId, long receivedAt, boolean signatureVerified) {}

  /** What changed. {@link #key()} is the one string the API filters and the timeline shows. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Target(String cluster, String namespace, String workloadKind, String workload, String service,
      String environment) {
    public Target {
      if (blank(workload) && blank(service)) {
        throw new IllegalArgumentException("a target needs a workload or a service");
      }
    }

    public static Target service(String service, String environment) {
      return new Target(null, null, null, null, service, environment);
    }

    /** e.g. {@code prod-eu/payments/deployment/api}, or {@code production/api} for a service. */
    @JsonIgnore
    public String key() {
      List<String> parts = new ArrayList<>();
      for (String p : new String[] {cluster, blank(namespace) ? environment : namespace, workloadKind,
          blank(workload) ? service : workload}) {
        if (!blank(p)) {
          parts.add(p);
        }
      }
      return String.join("/", parts);
    }

    /** Whether a {@code target=} filter names this: its key, service or workload name. */
    public boolean matches(String filter) {
      return filter.equals(key()) || filter.equals(service) || filter.equals(workload);
    }
  }

  /** A container image; the digest is what stitching trusts most. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(String name, String tag, String digest) {
    /** Parses {@code registry/repo:tag@sha256:...}. */
    public static Image parse(String ref) {
      String name = ref;
      String digest = null;
      int at = name.indexOf('@');
      if (at >= 0) {
        digest = name.substring(at + 1);
        name = name.substring(0, at);
      }
      String tag = null;
      int colon = name.lastIndexOf(':');
      if (colon > name.lastIndexOf('/')) {
        tag = name.substring(colon + 1);
        name = name.substring(0, colon);
      }
      return new Image(name, tag, digest);
    }
  }

  /** Where to read more: the pipeline, this run of it, its log. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Links(String pipelineUrl, String runUrl, String logUrl) {
    public static final Links NONE = new Links(null, null, null);
  }

  /**
   * healthy, suspect or failed, why, and (when not healthy) the command that rolls back to the
   * last good revision.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Verdict(String status, List<String> reasons, String rollback, long judgedAt) {
    public static final Set<String> STATUSES = Set.of("healthy", "suspect", "failed");

    public Verdict {
      if (!STATUSES.contains(status)) {
        throw new IllegalArgumentException("verdict '" + status + "' is not one of " + STATUSES);
      }
      reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
  }

  @JsonIgnore
  public boolean finished() {
    return "succeeded".equals(phase) || "failed".equals(phase) || "cancelled".equals(phase)
        || "stuck".equals(phase);
  }

  /** The same facts with what stitching and judging derived. */
  public DeployEvent withDerived(String deployId, Boolean manual, Verdict verdict) {
    return new DeployEvent(id, dedupKey, source, kind, phase, at, startedAt, finishedAt, target, version,
        previousVersion, revision, previousRevision, images, chart, commit, repo, ref, compareUrl, changeCause,
        links, initiator, tags, attributes, deployId, manual, verdict);
  }

  /** One line for a timeline tooltip: {@code api 1.4.2 → 1.4.3 succeeded (github)}. */
  public String title() {
    String name = blank(target.workload()) ? target.service() : target.workload();
    StringBuilder t = new StringBuilder(name);
    if (!"deploy".equals(kind)) {
      t.append(' ').append(kind);
    }
    String from = previousVersion != null ? previousVersion : previousRevision;
    String to = version != null ? version : revision;
    if (to != null) {
      t.append(' ').append(from == null ? "" : from + " → ").append(to);
    }
    t.append(' ').append(phase).append(" (").append(source.system()).append(')');
    return t.toString();
  }

  /** Ids are derived from the dedup key, so a redelivery names the same event everywhere. */
  public static String idFor(String dedupKey) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(dedupKey.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  public static Builder builder(String system, String dedupKey) {
    return new Builder(system, dedupKey);
  }

  /** Receivers fill what their source says; everything else stays null. */
  public static final class Builder {
    private final String system;
    private final String dedupKey;
    private String deliveryId;
    private long receivedAt;
    private boolean verified;
    private String kind = "deploy";
    private String phase;
    private long at;
    private Long startedAt;
    private Long finishedAt;
    private Target target;
    private String version;
    private String previousVersion;
    private String revision;
    private String previousRevision;
    private final List<Image> images = new ArrayList<>();
    private String chart;
    private String commit;
    private String repo;
    private String ref;
    private String compareUrl;
    private String changeCause;
    private String pipelineUrl;
    private String runUrl;
    private String logUrl;
    private String initiator;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String system, String dedupKey) {
      this.system = system;
      this.dedupKey = system + ":" + dedupKey;
    }

    public Builder delivery(String deliveryId, long receivedAt, boolean verified) {
      this.deliveryId = deliveryId;
      this.receivedAt = receivedAt;
      this.verified = verified;
      return this;
    }

    public Builder kind(String v) { kind = v; return this; }
    public Builder phase(String v) { phase = v; return this; }
    public Builder at(long v) { at = v; return this; }
    public Builder startedAt(Long v) { startedAt = v; return this; }
    public Builder finishedAt(Long v) { finishedAt = v; return this; }
    public Builder target(Target v) { target = v; return this; }
    public Builder version(String v) { version = emptyToNull(v); return this; }
    public Builder previousVersion(String v) { previousVersion = emptyToNull(v); return this; }
    public Builder revision(String v) { revision = emptyToNull(v); return this; }
    public Builder previousRevision(String v) { previousRevision = emptyToNull(v); return this; }
    public Builder image(Image v) { images.add(v); return this; }
    public Builder chart(String v) { chart = emptyToNull(v); return this; }
    public Builder commit(String v) { commit = emptyToNull(v); return this; }
    public Builder repo(String v) { repo = emptyToNull(v); return this; }
    public Builder ref(String v) { ref = emptyToNull(v); return this; }
    public Builder compareUrl(String v) { compareUrl = emptyToNull(v); return this; }
    public Builder changeCause(String v) { changeCause = emptyToNull(v); return this; }
    public Builder pipelineUrl(String v) { pipelineUrl = emptyToNull(v); return this; }
    public Builder runUrl(String v) { runUrl = emptyToNull(v); return this; }
    public Builder logUrl(String v) { logUrl = emptyToNull(v); return this; }
    public Builder initiator(String v) { initiator = emptyToNull(v); return this; }
    public Builder tag(String v) { if (!blank(v)) { tags.add(v); } return this; }
    public Builder attribute(String k, String v) { if (!blank(v)) { attributes.put(k, v); } return this; }

    public DeployEvent build() {
      Links links = pipelineUrl == null && runUrl == null && logUrl == null ? null
          : new Links(pipelineUrl, runUrl, logUrl);
      return new DeployEvent(null, dedupKey, new Source(system, deliveryId, receivedAt, verified), kind, phase,
          at == 0 ? receivedAt : at, startedAt, finishedAt, target, version, previousVersion, revision,
          previousRevision, images, chart, commit, repo, ref, compareUrl, changeCause, links, initiator, tags,
          attributes, null, null, null);
    }

    private static String emptyToNull(String v) {
      return blank(v) ? null : v;
    }
  }
}
