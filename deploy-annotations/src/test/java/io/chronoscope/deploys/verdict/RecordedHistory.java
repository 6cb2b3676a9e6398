package io.chronoscope.deploys.verdict;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Metric history replayed from a real recording: {@code verdict/host-metrics.csv}, one sample a
 * second of a build machine's CPU, memory, sockets, context switches and interrupts (taken with
 * /proc while four agents built on it). The deploy's own day reads the recording from 200 s
 * before the deploy started; each earlier day's same-hour window reads its own later stretch, so
 * the baseline holds real variation. {@link #afterDeploy} changes what the target does once the
 * deploy is over, to play a regression.
 */
final class RecordedHistory implements MetricHistory {
  static final long DAY = Duration.ofDays(1).toMillis();
  static final int LEAD_IN_SECONDS = 200;
  static final int FIRST_DAY_INDEX = 300;

  private final Map<String, double[]> columns;
  private final long deployStart;
  private final long deployEnd;
  private final long window;
  private final Map<String, DoubleUnaryOperator> afterDeploy = new HashMap<>();
  private final Map<String, Instance> instances = new HashMap<>();

  RecordedHistory(long deployStart, long deployEnd, Duration window) {
    this.columns = load();
    this.deployStart = deployStart;
    this.deployEnd = deployEnd;
    this.window = window.toMillis();
  }

  RecordedHistory afterDeploy(String metric, DoubleUnaryOperator change) {
    afterDeploy.put(metric, change);
    return this;
  }

  /** A pod of the target: {@code metric} from the recording from {@code offset}, changed by {@code change}. */
  RecordedHistory pod(String name, String revision, String metric, int offset, DoubleUnaryOperator change) {
    double[] column = column(metric);
    double[] v = new double[60];
    for (int i = 0; i < v.length; i++) {
      v[i] = change.applyAsDouble(column[offset + i]);
    }
    instances.put(name + "/" + metric, new Instance(revision, v));
    return this;
  }

  @Override
  public double[] values(String target, String metric, long from, long to, long step) {
    double[] column = columns.get(metric);
    if (column == null) {
      return new double[0];
    }
    int n = (int) ((to - from) / step);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      long t = from + i * step;
      int index = index(t);
      double v = index >= 0 && index < column.length ? column[index] : Double.NaN;
      out[i] = t >= deployEnd && afterDeploy.containsKey(metric) ? afterDeploy.get(metric).applyAsDouble(v) : v;
    }
    return out;
  }

  @Override
  public Map<String, Instance> instances(String target, String metric, long from, long to, long step) {
    Map<String, Instance> found = new HashMap<>();
    instances.forEach((k, v) -> {
      if (k.endsWith("/" + metric)) {
        found.put(k.substring(0, k.indexOf('/')), v);
      }
    });
    return found;
  }

  private int index(long t) {
    long base = deployStart - LEAD_IN_SECONDS * 1000L;
    if (t >= base) {
      return (int) ((t - base) / 1000);
    }
    long day = (base - t + DAY - 1) / DAY;
    long local = t + day * DAY - (deployStart - window);
    return FIRST_DAY_INDEX + (int) ((day - 1) * 2 * window / 1000) + (int) (local / 1000);
  }

  double[] column(String metric) {
    return columns.get(metric);
  }

  private static Map<String, double[]> load() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        RecordedHistory.class.getResourceAsStream("/verdict/host-metrics.csv"), StandardCharsets.UTF_8))) {
      String[] header = in.readLine().split(",");
      List<double[]> rows = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
      }
      Map<String, double[]> columns = new HashMap<>();
      for (int c = 1; c < header.length; c++) {
        final int col = c;
        columns.put(header[c], rows.stream().mapToDouble(r -> r[col]).toArray());
      }
      return columns;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
