package io.chronoscope.probe;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU time of the scanning thread per phase of one scan; about a microsecond per phase. */
final class ScanPhases {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final boolean measurable = THREADS.isCurrentThreadCpuTimeSupported();
  private Map<String, Long> current = new LinkedHashMap<>();
  private volatile Map<String, Long> last = Map.of();
  private long mark;

  void start() {
    current = new LinkedHashMap<>();
    mark = now();
  }

  void end(String phase) {
    long time = now();
    current.merge(phase, time - mark, Long::sum);
    mark = time;
  }

  /** Publishes the scan's phases as {@link #last()}. */
  void finish() {
    last = Collections.unmodifiableMap(current);
  }

  Map<String, Long> last() {
    return last;
  }

  private long now() {
    return measurable ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
