package io.chronoscope.deploys.verdict;

import java.util.Map;

/**
 * The metric samples a verdict compares, by deploy target key ({@code prod/shop/deployment/api})
 * and metric name ({@link DeployMetric}). Backed by the store's metric series; the verdict does
 * not care how.
 */
public interface MetricHistory {
  /** Knows no metrics: only failed rollouts get a verdict. */
  MetricHistory NONE = (target, metric, from, to, step) -> new double[0];

  /**
   * Values at {@code from}, {@code from + step}, ... before {@code to}; NaN where there was no
   * sample.
   */
  double[] values(String target, String metric, long from, long to, long step);

  /**
   * Per instance (pod) of the target, each with the revision it runs, for comparing old and new
   * pods side by side during a rolling update. Empty when not known.
   */
  default Map<String, Instance> instances(String target, String metric, long from, long to, long step) {
    return Map.of();
  }

  record Instance(String revision, double[] values) {}
}
