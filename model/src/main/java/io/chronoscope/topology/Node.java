package io.chronoscope.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.Map;

/**
 * A vertex of the topology graph. Attribute values are strings, longs, doubles or booleans;
 * other integral types are widened to long so that a decoded graph equals the one encoded.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Node(String id, String kind, String label,
    @JsonDeserialize(using = Attrs.Deserializer.class) Map<String, Object> attrs) {

  public Node {
    attrs = normalize(attrs);
  }

  /** Immutable, in key order, without nulls; attributes of another node or edge are shared, not copied. */
  static Map<String, Object> normalize(Map<String, Object> attrs) {
    return Attrs.of(attrs);
  }
}
