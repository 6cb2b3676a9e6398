package io.chronoscope.probe.publish;

import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;

/**
 * POSTs reports to {@code <collector>/api/v1/reports} with a bearer token, from one sender
 * thread, oldest first: as zstd-compressed Smile by default (a collector decodes it in about half
 * the CPU of gzip JSON, and decoding is most of what a report costs it), or as gzip JSON.
 *
 * <p>Reports wait in a bounded buffer. While the collector is unreachable or answers 5xx or 429,
 * the report at the head is retried with {@link Backoff}; when the buffer is full the oldest
 * report is dropped, because reports are full snapshots and the newest says the most. Any other
 * 4xx drops that one report: resending the same bytes would be refused again.
 */
public final class HttpPublisher implements ReportPublisher {
  public static final String PATH = "/api/v1/reports";
  public static final int DEFAULT_CAPACITY = 60;
  public static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(5);
  static final String THREAD_NAME = "chronoscope-publisher";
  private static final System.Logger LOG = System.getLogger(HttpPublisher.class.getName());
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final URI endpoint;
  private final String token;
  private final int capacity;
  private final Backoff backoff;
  private final Duration flushTimeout;
  private final ReportWire wire;
  private final HttpClient client;
  private final Deque<Report> buffer = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final RateLimitedWarning dropWarning = new RateLimitedWarning(LOG, 60_000);
  private final RateLimitedWarning failureWarning = new RateLimitedWarning(LOG, 60_000);
  private final Thread sender;
  private boolean closing;

  /** Buffer of {@value #DEFAULT_CAPACITY} reports, {@link Backoff#DEFAULT}, 5 s flush on close. */
  public HttpPublisher(URI collector, String token) {
    this(collector, token, DEFAULT_CAPACITY, Backoff.DEFAULT, DEFAULT_FLUSH_TIMEOUT);
  }

  /** Smile + zstd, the default. */
  public HttpPublisher(URI collector, String token, int capacity, Backoff backoff, Duration flushTimeout) {
    this(collector, token, capacity, backoff, flushTimeout, ReportWire.SMILE);
  }

  /**
   * @param collector    the collector's base URL, http or https, e.g. {@code http://collector:4040}
   * @param token        sent as {@code Authorization: Bearer}; an ingest token is enough
   * @param capacity     reports kept while the collector is away, at least 1
   * @param flushTimeout how long {@link #close()} keeps sending what is queued
   * @param wire         Smile (sent zstd-compressed) or JSON (sent gzip-compressed, for collectors
   *                     behind proxies that only pass JSON)
   */
  public HttpPublisher(URI collector, String token, int capacity, Backoff backoff, Duration flushTimeout,
      ReportWire wire) {
    this.endpoint = endpoint(collector);
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.token = token.trim();
    this.capacity = capacity;
    this.backoff = backoff;
    this.flushTimeout = flushTimeout;
    this.wire = wire;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.sender = new Thread(this::sendLoop, THREAD_NAME);
    sender.setDaemon(true);
    sender.start();
  }

  /** {@code <collector>/api/v1/reports}; refuses anything but an absolute http(s) URL with a host. */
  public static URI endpoint(URI collector) {
    String scheme = collector.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || collector.getHost() == null) {
      throw new IllegalArgumentException("collector URL must be http(s)://host[:port], was '"
          + collector + "'");
    }
    String base = collector.toString().replaceAll("/+$", "");
    return URI.create(base + PATH);
  }

  @Override
  public void publish(Report report) {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      if (buffer.size() >= capacity) {
        buffer.pollFirst();
        long total = dropped.incrementAndGet();
        dropWarning.warn("report buffer full (" + capacity + " reports) while " + endpoint
            + " is not taking them; dropped the oldest, " + total + " dropped so far");
      }
      buffer.addLast(report);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void sendLoop() {
    int failures = 0;
    while (true) {
      Report head;
      lock.lock();
      try {
        while (buffer.isEmpty() && !closing) {
          changed.awaitUninterruptibly();
        }
        if (buffer.isEmpty()) {
          return;
        }
        head = buffer.peekFirst();
      } finally {
        lock.unlock();
      }
      Outcome outcome = send(head);
      if (outcome == Outcome.RETRY) {
        failures++;
        failedAttempts.incrementAndGet();
        if (!pause(backoff.delayMs(failures))) {
          return;
        }
        continue;
      }
      failures = 0;
      lock.lock();
      try {
        // The head may have been dropped as the oldest while it was in flight.
        if (buffer.peekFirst() == head) {
          buffer.pollFirst();
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  private enum Outcome { DONE, RETRY }

  private Outcome send(Report report) {
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", wire.contentType())
        .header("Content-Encoding", wire == ReportWire.SMILE ? "zstd" : "gzip")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofByteArray(encode(report, wire)))
        .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      failureWarning.warn("cannot reach the collector at " + endpoint + " (" + e + "); retrying with"
          + " backoff up to " + backoff.max().toMillis() + " ms, " + queued() + " reports queued");
      return Outcome.RETRY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.RETRY;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      sent.incrementAndGet();
      return Outcome.DONE;
    }
    if (status == 429 || status >= 500) {
      failureWarning.warn("collector at " + endpoint + " answered " + status + " ("
          + abbreviate(response.body()) + "); retrying with backoff, " + queued() + " reports queued");
      return Outcome.RETRY;
    }
    rejected.incrementAndGet();
    LOG.log(Level.WARNING, "collector at " + endpoint + " refused report seq " + report.seq()
        + " of host " + report.hostId() + " with " + status + " (" + abbreviate(response.body())
        + "); dropped it, since sending it again would be refused again"
        + (status == 401 || status == 403 ? "; check the token (CHRONOSCOPE_INGEST_TOKEN)" : ""));
    return Outcome.DONE;
  }

  /** Sleeps through the backoff, also while closing (close interrupts at its deadline); false when interrupted. */
  private boolean pause(long ms) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    lock.lock();
    try {
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The request body for a report: what {@link #send} puts on the wire. */
  public static byte[] encode(Report report, ReportWire wire) {
    return wire == ReportWire.SMILE ? ReportWire.zstd(ReportWire.SMILE.encode(report)) : gzipJson(report);
  }

  static byte[] gzipJson(Report report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 8192)) {
      Json.mapper().writeValue(gzip, report);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode report seq " + report.seq() + " as JSON", e);
    }
    return bytes.toByteArray();
  }

  private static String abbreviate(String body) {
    String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
  }

  /** Keeps sending queued reports for up to the flush timeout, then stops the sender thread. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + flushTimeout.toNanos();
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (sender.isAlive()) {
        sender.interrupt();
        sender.join(1000);
      }
    } catch (InterruptedException e) {
      sender.interrupt();
      Thread.currentThread().interrupt();
    }
    int left = queued();
    if (left > 0) {
      LOG.log(Level.WARNING, left + " reports not sent to " + endpoint + " before closing");
    }
  }

  public int queued() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  /** Reports the collector accepted (2xx). */
  public long sent() {
    return sent.get();
  }

  /** Reports dropped as the oldest because the buffer was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Reports the collector refused with a 4xx other than 429; never retried. */
  public long rejected() {
    return rejected.get();
  }

  /** Sends that failed and were retried: connection errors, 5xx, 429. */
  public long failedAttempts() {
    return failedAttempts.get();
  }

  public URI endpoint() {
    return endpoint;
  }
}
