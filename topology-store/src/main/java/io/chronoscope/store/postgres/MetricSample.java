package io.chronoscope.store.postgres;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One value of one series at one instant. The series is its name and labels, e.g.
 * {@code process_cpu_percent {node=host-1;4242}}.
 */
public record MetricSample(String name, Map<String, String> labels, long at, double value) {
  public MetricSample {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a metric sample needs a series name");
    }
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
  }
}
