package io.chronoscope.collector.api;

import io.chronoscope.topology.Labels;
import io.chronoscope.topology.ViewOptions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Parses the filter and grouping parameters of a view: {@code namespace, selector, hide, group}. */
final class ViewQuery {
  /** A Kubernetes namespace is a DNS-1123 label. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** A label key: an optional DNS prefix and a name, 317 characters at most in Kubernetes. */
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,317}");
  private static final int MAX_SELECTOR_CHARS = 1024;

  private ViewQuery() {}

  static ViewOptions parse(String namespace, String selector, String hide, String group) {
    return new ViewOptions(namespace(namespace), selector(selector), hide(hide), group(group));
  }

  private static String namespace(String value) {
    if (isAbsent(value)) {
      return null;
    }
    if (!NAMESPACE.matcher(value).matches()) {
      throw ApiException.badParameter("namespace", "namespace '" + value
          + "' is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)");
    }
    return value;
  }

  private static Labels.Selector selector(String value) {
    if (isAbsent(value)) {
      return null;
    }
    if (value.length() > MAX_SELECTOR_CHARS) {
      throw ApiException.badParameter("selector", "selector is " + value.length()
          + " characters long; the limit is " + MAX_SELECTOR_CHARS);
    }
    try {
      return Labels.Selector.parse(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter("selector", "selector '" + value + "': " + e.getMessage()
          + " (expected e.g. app=api,tier!=cache,team,!canary)");
    }
  }

  private static Set<ViewOptions.Hidden> hide(String value) {
    if (isAbsent(value)) {
      return Set.of();
    }
    Set<ViewOptions.Hidden> hidden = EnumSet.noneOf(ViewOptions.Hidden.class);
    for (String part : value.split(",", -1)) {
      ViewOptions.Hidden h = Arrays.stream(ViewOptions.Hidden.values())
          .filter(x -> x.parameterValue().equals(part.trim()))
          .findFirst()
          .orElseThrow(() -> ApiException.badParameter("hide", "hide '" + part + "' is not one of "
              + Arrays.stream(ViewOptions.Hidden.values()).map(ViewOptions.Hidden::parameterValue)
                  .collect(Collectors.joining(", "))));
      hidden.add(h);
    }
    return hidden;
  }

  private static String group(String value) {
    if (isAbsent(value)) {
      return null;
    }
    if (!LABEL_KEY.matcher(value).matches()) {
      throw ApiException.badParameter("group", "group '" + value
          + "' is not a label key (letters, digits, '.', '_', '-', '/', at most 317)");
    }
    return value;
  }

  private static boolean isAbsent(String value) {
    return value == null || value.isBlank();
  }
}
