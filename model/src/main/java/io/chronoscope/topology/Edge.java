package io.chronoscope.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.Map;

/** A directed edge: client (source) talks to server (target). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Edge(String source, String target,
    @JsonDeserialize(using = Attrs.Deserializer.class) Map<String, Object> attrs) {

  public Edge {
    attrs = Node.normalize(attrs);
  }

  @JsonIgnore
  public String key() {
    return key(source, target);
  }

  public static String key(String source, String target) {
    return source + "|" + target;
  }
}
