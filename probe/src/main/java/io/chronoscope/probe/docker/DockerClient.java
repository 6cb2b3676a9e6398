package io.chronoscope.probe.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The few Docker Engine API calls the probe needs, over HTTP/1.1 on the daemon's unix socket.
 * The JDK speaks unix sockets since 16 and the API is plain JSON, so no HTTP or Docker library is
 * pulled in. One connection per request ({@code Connection: close}): requests are rare (start-up,
 * reconnects, one per container event) and this keeps the client free of connection state.
 */
public final class DockerClient {
  /** Docker 20.10 speaks 1.41; newer daemons still serve it. */
  static final String API = "/v1.41";
  static final int MAX_BODY_BYTES = 16 << 20;
  private static final int MAX_HEADER_LINE = 8192;
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  /** Closes channels of requests that hang, since blocking unix socket reads have no timeout. */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-request-watchdog");
        t.setDaemon(true);
        return t;
      });

  private final Path socket;

  public DockerClient(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  /** A non-2xx answer from the daemon, with its status code and message. */
  public static final class StatusException extends IOException {
    private final int status;

    StatusException(String target, int status, String body) {
      super("GET " + target + " answered " + status + ": " + body.strip());
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** GET {@code path} (below the API version prefix) and parse the JSON answer. */
  public JsonNode get(String path) throws IOException {
    SocketChannel channel = connect();
    ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(channel),
        REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    try (channel) {
      InputStream body = send(channel, path);
      return Json.mapper().readTree(readAll(body));
    } finally {
      watchdog.cancel(false);
    }
  }

  /** GET /containers/json: ids of the running containers. */
  public JsonNode runningContainers() throws IOException {
    return get("/containers/json?all=false");
  }

  /** GET /containers/{id}/json. */
  public JsonNode inspect(String id) throws IOException {
    if (!id.matches("[0-9a-zA-Z_.-]+")) {
      throw new IllegalArgumentException("container id must be a docker id or name, was '" + id
          + "'");
    }
    return get("/containers/" + id + "/json");
  }

  /**
   * An open stream of container events: GET /events filtered to the given container actions. The
   * answer is chunked and never ends; each {@link EventStream#next()} blocks for one event. Close
   * it (from any thread) to stop.
   */
  public EventStream containerEvents(Iterable<String> actions) throws IOException {
    StringBuilder filter = new StringBuilder("{\"type\":[\"container\"],\"event\":[");
    String sep = "";
    for (String action : actions) {
      filter.append(sep).append('"').append(action).append('"');
      sep = ",";
    }
    filter.append("]}");
    String path = "/events?filters=" + URLEncoder.encode(filter.toString(), StandardCharsets.UTF_8);
    SocketChannel channel = connect();
    // Only the headers are under the watchdog: the body is an endless stream by design.
    ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(channel),
        REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    try {
      InputStream body = send(channel, path);
      watchdog.cancel(false);
      return new EventStream(channel, body);
    } catch (IOException | RuntimeException e) {
      watchdog.cancel(false);
      closeQuietly(channel);
      throw e;
    }
  }

  /** Docker events, one JSON object each. */
  public static final class EventStream implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream body;
    private Iterator<JsonNode> events;

    EventStream(SocketChannel channel, InputStream body) {
      this.channel = channel;
      this.body = body;
    }

    /** The next event; blocks until one arrives. EOFException when the daemon ends the stream. */
    public JsonNode next() throws IOException {
      try {
        if (events == null) {
          // Made on first use: Jackson reads the first token when the iterator is made, which
          // would block the caller until the first event.
          events = Json.mapper().readerFor(JsonNode.class).readValues(body);
        }
        if (!events.hasNext()) {
          throw new EOFException("docker closed the event stream");
        }
        return events.next();
      } catch (RuntimeException e) {
        // Jackson's iterator wraps IOExceptions (also the one from close()) unchecked.
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw e;
      }
    }

    @Override
    public void close() {
      closeQuietly(channel);
    }
  }

  private SocketChannel connect() throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return channel;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** Sends the request, reads status and headers, and returns the (de-chunked) body. */
  private static InputStream send(SocketChannel channel, String path) throws IOException {
    String target = API + path;
    String request = "GET " + target + " HTTP/1.1\r\n"
        + "Host: docker\r\n"
        + "User-Agent: chronoscope-probe\r\n"
        + "Accept: application/json\r\n"
        + "Connection: close\r\n\r\n";
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (out.hasRemaining()) {
      channel.write(out);
    }
    InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("GET " + target + ": not an HTTP/1.x status line: '" + statusLine
          + "'");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("GET " + target + ": status code '" + parts[1] + "' is not a number");
    }
    long contentLength = -1;
    boolean chunked = false;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IOException("GET " + target + ": malformed header line '" + header + "'");
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        try {
          contentLength = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("GET " + target + ": Content-Length '" + value
              + "' is not a number");
        }
      } else if (name.equals("transfer-encoding")) {
        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
      }
    }
    InputStream body = chunked ? new ChunkedInputStream(in)
        : contentLength >= 0 ? new BoundedInputStream(in, contentLength)
        : in;
    if (status / 100 != 2) {
      String message;
      try {
        message = new String(readAll(body), StandardCharsets.UTF_8);
      } catch (IOException e) {
        message = "(no readable body: " + e.getMessage() + ")";
      }
      throw new StatusException(target, status, message);
    }
    return body;
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      if (out.size() + n > MAX_BODY_BYTES) {
        throw new IOException("docker answer is larger than " + MAX_BODY_BYTES + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** One CRLF-terminated line (a bare LF is accepted too), without the terminator. */
  static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("docker closed the connection in the middle of a line: '" + line
            + "'");
      }
      if (line.length() >= MAX_HEADER_LINE) {
        throw new IOException("HTTP line longer than " + MAX_HEADER_LINE + " bytes");
      }
      line.append((char) c);
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    }
    return line.toString();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing is best effort; the channel is unusable either way
    }
  }

  /** The body of a {@code Transfer-Encoding: chunked} answer (RFC 9112 section 7.1). */
  static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in);
        int ext = size.indexOf(';');
        String hex = (ext >= 0 ? size.substring(0, ext) : size).trim();
        try {
          left = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("chunk size '" + hex + "' is not hexadecimal");
        }
        if (left < 0) {
          throw new IOException("chunk size '" + hex + "' is negative");
        }
        if (left == 0) {
          // Trailer section ends at the first empty line.
          while (!line(in).isEmpty()) {
            // trailers carry nothing the probe needs
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("docker closed the connection inside a chunk, " + left
            + " bytes missing");
      }
      left -= n;
      if (left == 0 && !line(in).isEmpty()) {
        throw new IOException("chunk not followed by CRLF");
      }
      return n;
    }
  }

  /** The body of an answer with {@code Content-Length}. */
  static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int c = in.read();
      if (c < 0) {
        throw new EOFException("docker closed the connection " + left + " bytes before the"
            + " announced Content-Length");
      }
      left--;
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("docker closed the connection " + left + " bytes before the"
            + " announced Content-Length");
      }
      left -= n;
      return n;
    }
  }
}
