package io.chronoscope.collector.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses instant parameters: RFC 3339 (2026-11-23T02:13:00Z) or epoch milliseconds. */
final class Instants {
  private Instants() {}

  static long parse(String parameter, String value, long defaultValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw ApiException.badParameter(parameter, parameter + " '" + value + "' is too large for epoch milliseconds");
      }
    }
    try {
      return OffsetDateTime.parse(v).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(v).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw ApiException.badParameter(parameter, parameter + " '" + value
            + "' is neither RFC 3339 (e.g. 2026-11-23T02:13:00Z) nor epoch milliseconds");
      }
    }
  }
}
