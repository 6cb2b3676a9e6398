package io.chronoscope.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.store.TimelineEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One line of the deploys page. Read leniently from {@code /api/v1/deploys} (issue 5's event model:
 * nested target and source objects, links by several names) or from a timeline event.
 */
record DeployRow(String id, long at, String source, String target, String version, String commit,
    String commitUrl, String pipelineUrl, String author, String phase, String verdict) {

  static DeployRow of(TimelineEvent e) {
    return new DeployRow(e.id(), e.at(), e.kind(), e.target(), e.title(), null, null, null, null, e.phase(),
        e.verdict());
  }

  /** The rows of a deploys answer: a JSON array, or an object holding one under deploys, items or events. */
  static List<DeployRow> parse(JsonNode body) {
    JsonNode list = body;
    if (body != null && body.isObject()) {
      for (String key : List.of("deploys", "items", "events")) {
        if (body.path(key).isArray()) {
          list = body.get(key);
          break;
        }
      }
    }
    List<DeployRow> rows = new ArrayList<>();
    if (list == null || !list.isArray()) {
      return rows;
    }
    for (JsonNode d : list) {
      String commit = text(first(d, "commit", "revision"));
      String commitUrl = link(d, "commitUrl", "compareUrl", "commit", "compare");
      String repo = text(d, "repo");
      if (commitUrl == null && commit != null && repo != null && repo.startsWith("https://")) {
        commitUrl = repo.replaceAll("/$", "") + "/commit/" + commit;
      }
      String version = text(d, "version");
      String previous = text(d, "previousVersion");
      rows.add(new DeployRow(text(d, "id"), instant(first(d, "startedAt", "started", "at", "start")),
          field(first(d, "source"), "system"), flat(first(d, "target")),
          previous != null && version != null ? previous + " → " + version : version,
          commit, commitUrl, link(d, "pipelineUrl", "runUrl", "logUrl", "pipeline", "run"),
          flat(first(d, "author", "initiator")), flat(first(d, "phase", "status")),
          field(first(d, "verdict"), "status")));
    }
    return rows;
  }

  /** An object's named member, or the value itself when it is not an object. */
  private static String field(JsonNode n, String member) {
    if (n != null && n.isObject() && n.hasNonNull(member)) {
      return n.get(member).asText();
    }
    return flat(n);
  }

  private static JsonNode first(JsonNode d, String... keys) {
    for (String k : keys) {
      if (d.hasNonNull(k)) {
        return d.get(k);
      }
    }
    return null;
  }

  private static String text(JsonNode d, String key) {
    return d.hasNonNull(key) ? flat(d.get(key)) : null;
  }

  private static String text(JsonNode n) {
    return n == null ? null : flat(n);
  }

  /** A value as one line: objects join their scalar fields ({@code prod/shop/deployment/api}). */
  static String flat(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isValueNode()) {
      return n.asText();
    }
    List<String> parts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      JsonNode v = it.next().getValue();
      if (v.isValueNode() && !v.asText().isBlank()) {
        parts.add(v.asText());
      }
    }
    return String.join("/", parts);
  }

  private static String link(JsonNode d, String... keys) {
    for (String k : keys) {
      JsonNode v = d.path(k);
      if (v.isTextual() && v.asText().startsWith("http")) {
        return v.asText();
      }
      JsonNode inLinks = d.path("links").path(k);
      if (inLinks.isTextual() && inLinks.asText().startsWith("http")) {
        return inLinks.asText();
      }
    }
    return null;
  }

  private static long instant(JsonNode n) {
    if (n == null) {
      return 0;
    }
    if (n.isNumber()) {
      return n.asLong();
    }
    try {
      return Instant.parse(n.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
