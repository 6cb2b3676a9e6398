package io.chronoscope.deploys.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.collector.api.ApiException;
import io.chronoscope.model.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON body read by dotted paths ({@code deployment.environment}); a missing or wrong field is a
 * 400 naming that path, so the sender knows what to fix.
 */
public final class Payload {
  private static final DateTimeFormatter GITLAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");
  private static final DateTimeFormatter GITLAB_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

  private final JsonNode root;
  /** Where this object sits in the body ({@code deployment.}), so errors name the full path. */
  private final String prefix;

  private Payload(JsonNode root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  public static Payload parse(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badParameter("body", "the body is empty; a JSON object was expected");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badParameter("body", "the body is not valid JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw ApiException.badParameter("body", "the body cannot be read as JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiException.badParameter("body", "the body must be a JSON object");
    }
    return new Payload(root, "");
  }

  public static Payload of(JsonNode node) {
    return new Payload(node, "");
  }

  public JsonNode node(String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(part);
    }
    return n == null || n.isNull() || n.isMissingNode() ? null : n;
  }

  public boolean has(String path) {
    return node(path) != null;
  }

  /** The field as text (numbers and booleans too), or null when absent or empty. */
  public String text(String path) {
    JsonNode n = node(path);
    if (n == null || n.isContainerNode()) {
      return null;
    }
    String s = n.asText();
    return s.isBlank() ? null : s;
  }

  public String required(String path) {
    String s = text(path);
    if (s == null) {
      throw ApiException.badParameter(prefix + path, "missing field '" + prefix + path + "'");
    }
    return s;
  }

  /** The object at the path; 400 naming it when absent or not an object. */
  public Payload object(String path) {
    JsonNode n = node(path);
    if (n == null || !n.isObject()) {
      throw ApiException.badParameter(prefix + path, "missing object '" + prefix + path + "'");
    }
    return new Payload(n, prefix + path + ".");
  }

  /** Strings of an array field (absent: empty). */
  public List<String> strings(String path) {
    JsonNode n = node(path);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      throw ApiException.badParameter(prefix + path, "'" + prefix + path + "' must be an array of strings");
    }
    n.forEach(e -> {
      if (e.isValueNode() && !e.asText().isBlank()) {
        out.add(e.asText());
      }
    });
    return out;
  }

  /** An instant field: RFC 3339, GitLab's {@code 2021-04-28 21:50:00 +0200}, or epoch ms. */
  public Long time(String path) {
    JsonNode n = node(path);
    if (n == null) {
      return null;
    }
    if (n.isNumber()) {
      return n.asLong();
    }
    String s = n.asText().trim();
    if (s.isEmpty()) {
      return null;
    }
    Long t = parseTime(s);
    if (t == null) {
      throw ApiException.badParameter(prefix + path, "'" + prefix + path + "' is '" + s
          + "', not a time (RFC 3339 such as 2026-11-23T10:00:00Z, or epoch milliseconds)");
    }
    return t;
  }

  public long requiredTime(String path) {
    Long t = time(path);
    if (t == null) {
      throw ApiException.badParameter(prefix + path, "missing field '" + prefix + path + "'");
    }
    return t;
  }

  /** Parses a time as {@link #time} does; null when it is none of the formats. */
  public static Long parseTimeOrNull(String s) {
    return parseTime(s);
  }

  static Long parseTime(String s) {
    if (s.chars().allMatch(Character::isDigit) && s.length() < 19) {
      return Long.parseLong(s);
    }
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // next format
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // next format
    }
    for (DateTimeFormatter f : new DateTimeFormatter[] {GITLAB_TIME, GITLAB_UTC}) {
      try {
        return ZonedDateTime.parse(s, f).toInstant().toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // next format
      }
    }
    return null;
  }
}
