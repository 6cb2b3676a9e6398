package io.chronoscope.collector.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses duration parameters: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, ISO-8601 {@code PT10S}. */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /** The duration in milliseconds; {@code defaultValue} when absent. Must be positive. */
  static long parse(String parameter, String value, long defaultValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    String v = value.trim();
    long ms;
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      ms = switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1_000;
        case "m" -> n * 60_000;
        default -> n * 3_600_000;
      };
    } else {
      try {
        ms = Duration.parse(v).toMillis();
      } catch (DateTimeParseException | ArithmeticException e) {
        throw ApiException.badParameter(parameter, parameter + " '" + value
            + "' is not a duration (e.g. 500ms, 10s, 5m, 1h or PT10S)");
      }
    }
    if (ms <= 0) {
      throw ApiException.badParameter(parameter, parameter + " '" + value + "' must be longer than 0 ms");
    }
    return ms;
  }
}
