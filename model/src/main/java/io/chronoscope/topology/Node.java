package io.chronoscope.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A vertex of the topology graph. Attribute values are strings, longs, doubles or booleans;
 * other integral types are widened to long so that a decoded graph equals the one encoded.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Node(String id, String kind, String label, Map<String, Object> attrs) {

  public Node {
    attrs = normalize(attrs);
  }

  static Map<String, Object> normalize(Map<String, Object> attrs) {
    if (attrs == null || attrs.isEmpty()) {
      return Map.of();
    }
    TreeMap<String, Object> copy = new TreeMap<>();
    attrs.forEach((k, v) -> {
      if (v == null) {
        return;
      }
      if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        v = ((Number) v).longValue();
      } else if (v instanceof Float) {
        v = ((Number) v).doubleValue();
      }
      copy.put(k, v);
    });
    return Collections.unmodifiableMap(copy);
  }
}
