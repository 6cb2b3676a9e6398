package io.chronoscope.topology;

import java.util.Set;

/**
 * Filters and grouping applied around a view: which processes, containers and pods take part
 * ({@code namespace}, a label {@code selector}, {@code hide}), and a label key whose values fold
 * the rendered nodes into one node each ({@code groupBy}). Null fields are "no constraint".
 */
public record ViewOptions(String namespace, Labels.Selector selector, Set<Hidden> hide, String groupBy) {
  public static final ViewOptions NONE = new ViewOptions(null, null, Set.of(), null);

  public ViewOptions {
    hide = hide == null ? Set.of() : Set.copyOf(hide);
  }

  /** What {@code hide=} can leave out. */
  public enum Hidden {
    /** kube-system pods and the pause containers that hold pod namespaces. */
    SYSTEM,
    /** Processes that run in no container. */
    UNCONTAINED;

    public String parameterValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  boolean filters() {
    return namespace != null || selector != null || !hide.isEmpty();
  }
}
