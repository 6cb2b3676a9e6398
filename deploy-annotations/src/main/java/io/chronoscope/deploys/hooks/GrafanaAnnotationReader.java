package io.chronoscope.deploys.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.collector.api.ApiException;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployEvent.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Grafana's {@code POST /api/annotations} body ({@code time} ms, {@code timeEnd}, {@code tags},
 * {@code text}) and the Graphite form ({@code what}, {@code when} in seconds, {@code tags} as an
 * array or one space-separated string, {@code data}) that Flux's grafana provider sends. Tags of
 * the form {@code key: value} (Flux: {@code kind}, {@code name}, {@code namespace},
 * {@code revision}; anyone: {@code service}, {@code app}, {@code env}) say what was deployed;
 * otherwise the first plain tag is taken as the service.
 */
public final class GrafanaAnnotationReader {
  private GrafanaAnnotationReader() {}

  public static DeployEvent read(byte[] body, long receivedAt) {
    Payload p = Payload.parse(body);
    boolean graphite = p.has("what") || p.has("when");
    String text = graphite ? (p.text("what") != null ? p.text("what") : p.text("text")) : p.text("text");
    if (text == null) {
      throw ApiException.badParameter(graphite ? "what" : "text", "missing field '" + (graphite ? "what" : "text")
          + "': an annotation needs its text");
    }
    List<String> plain = new ArrayList<>();
    Map<String, String> keyed = new LinkedHashMap<>();
    for (String tag : tags(p)) {
      int colon = tag.indexOf(':');
      if (colon > 0) {
        // Flux writes ':' inside values as '|' so Grafana does not split them.
        keyed.put(tag.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            tag.substring(colon + 1).trim().replace('|', ':'));
      } else {
        plain.add(tag.trim());
      }
    }
    Long at;
    if (graphite) {
      Long when = p.time("when");
      at = when == null ? null : when * 1000;
    } else {
      at = p.time("time");
    }
    long start = at == null || at == 0 ? receivedAt : at;
    String name = first(keyed, "service", "app", "application", "name");
    String kind = keyed.get("kind");
    String service = name != null ? name : plain.stream().filter(t -> !t.isBlank()).findFirst().orElse(null);
    if (service == null) {
      throw ApiException.badParameter("tags", "tag the annotation with service:<name> (or app:<name>) so it"
          + " names what was deployed");
    }
    String lower = (text + " " + String.join(" ", plain)).toLowerCase(Locale.ROOT);
    // Annotations carry no status; the notifiers that post them put failures in words.
    String phase = lower.contains("fail") || lower.contains("error") ? "failed" : "succeeded";
    String revision = keyed.get("revision");
    DeployEvent.Builder b = DeployEvent.builder("grafana", hash(body)).delivery(null, receivedAt, true)
        .phase(phase).at(start).finishedAt(p.time("timeEnd"))
        .target(new Target(keyed.get("cluster"), keyed.get("namespace"),
            kind == null || name == null ? null : kind.toLowerCase(Locale.ROOT), kind == null ? null : name,
            kind == null ? service : null, first(keyed, "env", "environment")))
        .version(keyed.get("version") != null ? keyed.get("version") : revision)
        .revision(revision).changeCause(graphite && p.text("data") != null ? text + ": " + p.text("data") : text);
    if (revision != null && revision.contains("sha1:")) {
      b.commit(revision.substring(revision.indexOf("sha1:") + 5));
    }
    plain.forEach(b::tag);
    keyed.forEach(b::attribute);
    return b.build();
  }

  private static List<String> tags(Payload p) {
    JsonNode n = p.node("tags");
    if (n != null && n.isTextual()) {
      return List.of(n.asText().trim().split("\\s+"));
    }
    return p.strings("tags");
  }

  private static String first(Map<String, String> m, String... keys) {
    for (String k : keys) {
      if (m.get(k) != null && !m.get(k).isBlank()) {
        return m.get(k);
      }
    }
    return null;
  }

  /** Annotations have no id of their own: the same body posted twice is one event. */
  private static String hash(byte[] body) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
