package io.chronoscope.deploys.verdict;

import java.util.Arrays;

/**
 * Median and median absolute deviation of samples, NaN ignored: unlike mean and standard
 * deviation, one spike in history does not widen what counts as normal.
 */
public record RobustBaseline(double median, double mad, int samples) {
  /** MAD × this estimates the standard deviation of normally distributed data. */
  static final double MAD_TO_SIGMA = 1.4826;

  public static RobustBaseline of(double[] values) {
    double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return new RobustBaseline(Double.NaN, Double.NaN, 0);
    }
    double median = median(v);
    double[] deviations = Arrays.stream(v).map(d -> Math.abs(d - median)).sorted().toArray();
    return new RobustBaseline(median, median(deviations), v.length);
  }

  /** The spread used to judge a change: the robust sigma, never below {@code minSpread}. */
  public double spread(double minSpread) {
    return Math.max(MAD_TO_SIGMA * mad, minSpread);
  }

  /** How many spreads {@code value} lies from the median (signed). */
  public double z(double value, double minSpread) {
    return (value - median) / spread(minSpread);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
