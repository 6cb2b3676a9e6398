package io.chronoscope.deploys.hooks;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Each source's shared secret, from {@code CHRONOSCOPE_HOOK_SECRET_<SOURCE>}. A source without one
 * is refused: secure by default, and the refusal names the variable to set.
 */
@FunctionalInterface
public interface HookSecrets {
  Optional<String> secret(String source);

  static String variable(String source) {
    return "CHRONOSCOPE_HOOK_SECRET_" + source.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** From environment variables (or any map of them). */
  static HookSecrets fromEnvironment(Map<String, String> env) {
    return source -> Optional.ofNullable(env.get(variable(source))).filter(s -> !s.isBlank());
  }
}
