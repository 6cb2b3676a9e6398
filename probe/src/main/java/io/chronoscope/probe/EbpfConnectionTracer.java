package io.chronoscope.probe;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.chronoscope.model.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TCP connections that opened and closed between two scans, which a socket dump cannot see: the
 * eBPF program connections.bpf.c (shipped in the jar as {@value #OBJECT}) on
 * tp_btf/inet_sock_set_state sends one event per closed connection into a ring buffer, and a
 * daemon thread reads it into a queue that each scan drains.
 *
 * <p>{@link #start()} either attaches or says why it cannot ({@link Unavailable}); the probe then
 * carries on without it.
 */
final class EbpfConnectionTracer implements AutoCloseable {
  static final String NAME = "ebpf";
  static final String CLOSED = "CLOSED";
  static final String OBJECT = "/bpf/connections.bpf.o";
  static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");
  private static final String PROGRAM = "on_state";
  private static final String RING = "events";
  private static final String CHANGES = "changes";
  private static final long BPF_NOEXIST = 1;
  private static final int ENOENT = 2;
  private static final int EEXIST = 17;
  private static final int POLL_MS = 100;
  private static final long DRAIN_WAIT_MS = 3 * POLL_MS;
  /** Events kept between two drains; beyond it the oldest are lost, counted in dropped. */
  private static final int QUEUE_LIMIT = 100_000;

  /** Why eBPF is not active, in words for --explain. */
  static final class Unavailable extends Exception {
    Unavailable(String why) {
      super(why);
    }
  }

  private final Libbpf bpf;
  private final Pointer object;
  private final Pointer link;
  private final Pointer ring;
  private final Libbpf.SampleCallback callback; // held: JNA must not let the GC free it
  private final Memory elf;
  private final String description;
  private final Queue<ConnectionEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  /** libbpf's ring_buffer is single-consumer: the poller and a draining scan take turns. */
  private final ReentrantLock consumer = new ReentrantLock(true);
  private final Thread poller;
  private final int changesFd;
  private final Memory changesKey = new Memory(4);
  private final Memory changesValue = new Memory(8);
  private volatile boolean closing;

  private EbpfConnectionTracer(Libbpf bpf, Pointer object, Pointer link, Memory elf) {
    this.bpf = bpf;
    this.object = object;
    this.link = link;
    this.elf = elf;
    this.callback = (ctx, data, size) -> {
      try {
        accept(data.getByteBuffer(0, size));
      } catch (IllegalArgumentException e) {
        // A record this class cannot decode means the object and the decoder disagree.
        if (dropped.getAndIncrement() == 0) {
          System.getLogger(EbpfConnectionTracer.class.getName()).log(
              System.Logger.Level.WARNING, "eBPF event skipped: " + e.getMessage());
        }
      }
      return 0;
    };
    int ringFd = bpf.bpf_object__find_map_fd_by_name(object, RING);
    if (ringFd < 0) {
      destroyLoaded();
      throw new IllegalStateException("map '" + RING + "' not found in " + OBJECT + ": "
          + message(bpf, ringFd));
    }
    this.changesFd = bpf.bpf_object__find_map_fd_by_name(object, CHANGES);
    if (changesFd < 0) {
      destroyLoaded();
      throw new IllegalStateException("map '" + CHANGES + "' not found in " + OBJECT + ": "
          + message(bpf, changesFd));
    }
    this.ring = bpf.ring_buffer__new(ringFd, callback, null, null);
    if (ring == null) {
      int errno = Native.getLastError();
      destroyLoaded();
      throw new IllegalStateException("ring_buffer__new on map '" + RING + "' failed: "
          + message(bpf, errno));
    }
    String version;
    try {
      version = "libbpf " + bpf.libbpf_version_string();
    } catch (UnsatisfiedLinkError e) {
      version = "libbpf.so.1";
    }
    this.description = "tp_btf/inet_sock_set_state attached through " + version
        + ", closed TCP connections read from a BPF ring buffer";
    this.poller = new Thread(this::pollUntilClosed, "chronoscope-ebpf-ring");
    poller.setDaemon(true);
    poller.start();
  }

  /** Loads and attaches the program shipped in the jar. */
  static EbpfConnectionTracer start() throws Unavailable {
    return start(OBJECT);
  }

  /** With the object at another class-path resource, so tests can exercise a missing one. */
  static EbpfConnectionTracer start(String resource) throws Unavailable {
    Loaded loaded = load(resource);
    Libbpf bpf = loaded.bpf();
    Pointer object = loaded.object();
    Memory elf = loaded.elf();
    Pointer program = bpf.bpf_object__find_program_by_name(object, PROGRAM);
    if (program == null) {
      bpf.bpf_object__close(object);
      throw new Unavailable("program '" + PROGRAM + "' not found in " + resource);
    }
    Pointer link = bpf.bpf_program__attach(program);
    if (link == null) {
      int errno = Native.getLastError();
      bpf.bpf_object__close(object);
      throw new Unavailable("bpf_program__attach of tp_btf/inet_sock_set_state failed: "
          + message(bpf, errno) + LibbpfMessages.lastWarning());
    }
    try {
      return new EbpfConnectionTracer(bpf, object, link, elf);
    } catch (IllegalStateException e) {
      throw new Unavailable(e.getMessage());
    }
  }

  /** A loaded BPF object; the ELF bytes it was opened from must outlive it. */
  record Loaded(Libbpf bpf, Pointer object, Memory elf) {}

  /**
   * Opens and loads a BPF object shipped in the probe jar, with every reason it cannot be
   * loaded here spelled out: not built, no BTF, no libbpf, no permission, or what libbpf said.
   */
  static Loaded load(String resource) throws Unavailable {
    byte[] bytes;
    try (InputStream in = EbpfConnectionTracer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new Unavailable("the eBPF object " + resource + " is not in the probe jar (clang"
            + " and libbpf-dev were missing when the probe was built)");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new Unavailable("cannot read the eBPF object " + resource + ": " + e.getMessage());
    }
    if (!Files.isReadable(KERNEL_BTF)) {
      throw new Unavailable("no kernel BTF at " + KERNEL_BTF
          + " (the kernel needs CONFIG_DEBUG_INFO_BTF for CO-RE programs)");
    }
    Libbpf bpf;
    try {
      bpf = Libbpf.load();
    } catch (UnsatisfiedLinkError e) {
      throw new Unavailable("libbpf.so.1 cannot be loaded (Debian package libbpf1): "
          + e.getMessage());
    }
    LibbpfMessages.install(bpf);
    Memory elf = new Memory(bytes.length);
    elf.write(0, bytes, 0, bytes.length);
    Pointer object = bpf.bpf_object__open_mem(elf, bytes.length, null);
    if (object == null) {
      throw new Unavailable("bpf_object__open_mem of " + resource + " failed: "
          + message(bpf, Native.getLastError()) + LibbpfMessages.lastWarning());
    }
    int loaded = bpf.bpf_object__load(object);
    if (loaded < 0) {
      bpf.bpf_object__close(object);
      String hint = loaded == -1 || loaded == -13
          ? " (loading BPF needs root, or CAP_BPF with CAP_PERFMON)" : "";
      throw new Unavailable("bpf_object__load of " + resource + " failed: "
          + message(bpf, loaded) + hint + LibbpfMessages.lastWarning());
    }
    return new Loaded(bpf, object, elf);
  }

  /**
   * libbpf's own messages go to the System.Logger at DEBUG instead of stderr, so the probe says
   * why eBPF is off once, in one line; the last warning is kept for that line.
   */
  static final class LibbpfMessages {
    private static final System.Logger LOG = System.getLogger("io.chronoscope.probe.libbpf");
    private static Libbpf.PrintCallback installed; // held: JNA must not let the GC free it
    private static volatile String lastWarning;

    static synchronized void install(Libbpf bpf) {
      if (installed != null) {
        return;
      }
      Libbpf.Formatter libc;
      try {
        libc = Native.load(Platform.C_LIBRARY_NAME, Libbpf.Formatter.class);
      } catch (UnsatisfiedLinkError e) {
        return; // libbpf keeps printing to stderr: noisier, not wrong
      }
      installed = (level, format, args) -> {
        byte[] buf = new byte[1024];
        libc.vsnprintf(buf, buf.length, format, args);
        int end = 0;
        while (end < buf.length && buf[end] != 0) {
          end++;
        }
        String text = new String(buf, 0, end, StandardCharsets.UTF_8).strip();
        if (text.startsWith("libbpf: ")) {
          text = text.substring("libbpf: ".length());
        }
        // "failed to load object" only repeats that loading failed; keep the cause before it.
        if (level == Libbpf.LIBBPF_WARN && !text.startsWith("failed to load object")) {
          lastWarning = text;
        }
        LOG.log(System.Logger.Level.DEBUG, text);
        return 0;
      };
      bpf.libbpf_set_print(installed);
    }

    /** "; libbpf said: ..." with its last warning, or nothing. */
    static String lastWarning() {
      String warning = lastWarning;
      lastWarning = null;
      return warning == null ? "" : "; libbpf said: " + warning;
    }
  }

  static String message(Libbpf bpf, int error) {
    byte[] buf = new byte[256];
    bpf.libbpf_strerror(error, buf, buf.length);
    int end = 0;
    while (end < buf.length && buf[end] != 0) {
      end++;
    }
    return new String(buf, 0, end, StandardCharsets.UTF_8) + " (errno "
        + Math.abs(error) + ")";
  }

  /**
   * How many TCP state changes the kernel made in network namespace {@code netns} since the
   * tracer attached (sockets created, connected, closed, ...), or -1 when that cannot be known
   * (the map is full): then the caller must list the namespace's sockets every time. A namespace
   * the map does not hold yet gets an entry at 0, so a quiet one is not listed again and again.
   */
  synchronized long tcpChanges(long netns) {
    if (closing) {
      return -1;
    }
    changesKey.setInt(0, (int) netns);
    int result = bpf.bpf_map_lookup_elem(changesFd, changesKey, changesValue);
    if (result == 0) {
      return changesValue.getLong(0);
    }
    if (result != -ENOENT) {
      return -1;
    }
    changesValue.setLong(0, 0);
    result = bpf.bpf_map_update_elem(changesFd, changesKey, changesValue, BPF_NOEXIST);
    if (result == -EEXIST) { // the program made it meanwhile: a change happened
      return tcpChanges(netns);
    }
    return result == 0 ? 0 : -1;
  }

  /** Drops the count of a namespace that is gone, so the map does not fill with dead ones. */
  synchronized void forgetNamespace(long netns) {
    if (!closing) {
      changesKey.setInt(0, (int) netns);
      bpf.bpf_map_delete_elem(changesFd, changesKey);
    }
  }

  /** Human line for --explain. */
  String describe() {
    long lost = dropped.get();
    return lost == 0 ? description : description + "; " + lost + " events lost (full queue or undecodable)";
  }

  /**
   * Every connection that closed since the previous drain, state CLOSED, source ebpf. A
   * long-lived connection that closed is included too: its closedAt is news to the collector.
   * Reads what the kernel holds right now first, so a connection closed before this call is in
   * the result, not the next one.
   */
  List<Connection> drainClosed() {
    // Bounded wait: a scan must never hang on the poller; what it misses, the next scan gets.
    boolean locked = false;
    try {
      locked = consumer.tryLock(DRAIN_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (locked) {
      try {
        if (!closing) {
          bpf.ring_buffer__consume(ring);
        }
      } finally {
        consumer.unlock();
      }
    }
    long offset = Clocks.epochMinusMonotonicNs();
    List<Connection> closed = new ArrayList<>();
    ConnectionEvent event;
    while ((event = events.poll()) != null) {
      queued.decrementAndGet();
      closed.add(event.toConnection(offset));
    }
    return closed;
  }

  private void accept(java.nio.ByteBuffer record) {
    ConnectionEvent event = ConnectionEvent.decode(record);
    if (queued.incrementAndGet() > QUEUE_LIMIT) {
      // Nobody drains (the probe is not scanning): keep the newest, count the loss.
      if (events.poll() != null) {
        queued.decrementAndGet();
        dropped.incrementAndGet();
      }
    }
    events.add(event);
  }

  private void pollUntilClosed() {
    while (!closing) {
      consumer.lock();
      try {
        if (closing) {
          return;
        }
        int result = bpf.ring_buffer__poll(ring, POLL_MS);
        if (result < 0 && result != -4) { // -EINTR: a signal, poll again
          System.getLogger(EbpfConnectionTracer.class.getName()).log(
              System.Logger.Level.WARNING, "ring_buffer__poll failed, eBPF events stop: "
                  + message(bpf, result));
          return;
        }
      } catch (RuntimeException e) {
        System.getLogger(EbpfConnectionTracer.class.getName()).log(
            System.Logger.Level.WARNING, "eBPF event could not be read, events stop", e);
        return;
      } finally {
        consumer.unlock();
      }
    }
  }

  private void destroyLoaded() {
    bpf.bpf_link__destroy(link);
    bpf.bpf_object__close(object);
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      poller.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (poller.isAlive()) {
      // Freeing the ring under a poll still in the kernel would crash the JVM; leaking it is safe.
      System.getLogger(EbpfConnectionTracer.class.getName()).log(System.Logger.Level.WARNING,
          "eBPF ring buffer poller did not stop within 2 s; leaving the ring buffer allocated");
      return;
    }
    synchronized (this) { // tcpChanges reads a map of the object freed here
      consumer.lock();
      try {
        bpf.ring_buffer__free(ring);
        destroyLoaded();
      } finally {
        consumer.unlock();
      }
    }
    elf.close();
  }

  /** CLOCK_REALTIME minus CLOCK_MONOTONIC: turns bpf_ktime_get_ns into wall-clock time. */
  static final class Clocks {
    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;

    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    private Clocks() {}

    private static native int clock_gettime(int clock, long[] timespec);

    static long epochMinusMonotonicNs() {
      long[] mono = new long[2];
      long[] real = new long[2];
      clock_gettime(CLOCK_MONOTONIC, mono);
      clock_gettime(CLOCK_REALTIME, real);
      return (real[0] - mono[0]) * 1_000_000_000L + (real[1] - mono[1]);
    }
  }
}
