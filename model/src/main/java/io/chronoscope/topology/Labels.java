package io.chronoscope.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Container and pod labels, kept as node attributes {@code label.<key>} because attribute values
 * are scalars; and label selectors over them ({@code app=api,tier!=cache,team,!canary}, the
 * equality-based part of Kubernetes' syntax).
 */
public final class Labels {
  public static final String ATTR_PREFIX = "label.";

  private Labels() {}

  /** The labels a node carries itself. */
  public static Map<String, String> of(Node n) {
    Map<String, String> labels = new TreeMap<>();
    n.attrs().forEach((k, v) -> {
      if (k.startsWith(ATTR_PREFIX)) {
        labels.put(k.substring(ATTR_PREFIX.length()), String.valueOf(v));
      }
    });
    return labels;
  }

  /** A conjunction of requirements, as in {@code kubectl get pods -l}. */
  public record Selector(List<Requirement> requirements) {
    public Selector {
      requirements = List.copyOf(requirements);
    }

    /**
     * Parses {@code a=b,c!=d,e,!f}.
     *
     * @throws IllegalArgumentException saying which requirement is malformed
     */
    public static Selector parse(String text) {
      List<Requirement> requirements = new ArrayList<>();
      for (String part : text.split(",", -1)) {
        String p = part.trim();
        if (p.isEmpty()) {
          throw new IllegalArgumentException("empty requirement in '" + text + "'");
        }
        Requirement r;
        int ne = p.indexOf("!=");
        int eq = p.indexOf('=');
        if (ne >= 0) {
          r = new Requirement(p.substring(0, ne).trim(), Operator.NOT_EQUALS, p.substring(ne + 2).trim());
        } else if (eq >= 0) {
          String value = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
          r = new Requirement(p.substring(0, eq).trim(), Operator.EQUALS, value);
        } else if (p.startsWith("!")) {
          r = new Requirement(p.substring(1).trim(), Operator.ABSENT, null);
        } else {
          r = new Requirement(p, Operator.PRESENT, null);
        }
        if (r.key().isEmpty() || !r.key().matches("[A-Za-z0-9._/-]+")) {
          throw new IllegalArgumentException("'" + p + "' has no valid label key");
        }
        if (r.value() != null && !r.value().matches("[A-Za-z0-9._/-]*")) {
          throw new IllegalArgumentException("'" + p + "' has a value with characters a label value cannot hold");
        }
        requirements.add(r);
      }
      return new Selector(requirements);
    }

    public boolean matches(Map<String, String> labels) {
      return requirements.stream().allMatch(r -> r.matches(labels));
    }
  }

  public enum Operator { EQUALS, NOT_EQUALS, PRESENT, ABSENT }

  /** One requirement; {@code value} is null for PRESENT and ABSENT. */
  public record Requirement(String key, Operator operator, String value) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (operator) {
        case EQUALS -> value.equals(v);
        case NOT_EQUALS -> !value.equals(v);
        case PRESENT -> v != null;
        case ABSENT -> v == null;
      };
    }
  }
}
