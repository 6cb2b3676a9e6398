package io.chronoscope.probe;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libbpf 1.x calls that load and read connections.bpf.o, bound through JNA to the runtime
 * library {@code libbpf.so.1} (Debian package libbpf1; the unversioned libbpf.so exists only
 * with libbpf-dev). Opaque libbpf objects are {@link Pointer}s. In libbpf 1.x, calls returning a
 * pointer return NULL and set errno on error; calls returning int return a negative errno.
 */
interface Libbpf extends Library {

  /** Loads libbpf.so.1; throws UnsatisfiedLinkError when it is not installed. */
  static Libbpf load() {
    return Native.load("libbpf.so.1", Libbpf.class);
  }

  /** {@code int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)}. */
  interface SampleCallback extends Callback {
    int invoke(Pointer ctx, Pointer data, long size);
  }

  /**
   * {@code int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list ap)};
   * va_list reaches the callback as a pointer on x86-64 and arm64 alike.
   */
  interface PrintCallback extends Callback {
    int invoke(int level, String format, Pointer args);
  }

  /** The part of libc that formats libbpf's messages. */
  interface Formatter extends Library {
    int vsnprintf(byte[] buf, long size, String format, Pointer args);
  }

  int LIBBPF_WARN = 0;

  /** Routes libbpf's messages (stderr by default) to fn; returns the previous one. */
  Pointer libbpf_set_print(PrintCallback fn);

  String libbpf_version_string();

  /** Writes a message for a libbpf or errno error code (positive or negative) into buf. */
  int libbpf_strerror(int err, byte[] buf, long size);

  /** The ELF bytes must stay valid until {@link #bpf_object__load} returns. */
  Pointer bpf_object__open_mem(Pointer objBuf, long objBufSize, Pointer opts);

  int bpf_object__load(Pointer obj);

  Pointer bpf_object__find_program_by_name(Pointer obj, String name);

  int bpf_object__find_map_fd_by_name(Pointer obj, String name);

  Pointer bpf_program__attach(Pointer prog);

  /** Attaches an iter/* program; NULL and errno on error. */
  Pointer bpf_program__attach_iter(Pointer prog, Pointer opts);

  int bpf_link__fd(Pointer link);

  /** A new file that runs the iterator once from the start as it is read; fd or -errno. */
  int bpf_iter_create(int linkFd);

  /** 0, or -errno (-ENOENT: no such key). */
  int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

  /** 0, or -errno (-EEXIST with BPF_NOEXIST, -E2BIG when the map is full). */
  int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

  int bpf_map_delete_elem(int fd, Pointer key);

  int bpf_link__destroy(Pointer link);

  void bpf_object__close(Pointer obj);

  Pointer ring_buffer__new(int mapFd, SampleCallback sampleCb, Pointer ctx, Pointer opts);

  /** Waits up to timeoutMs for data, then calls the callback per record; count or -errno. */
  int ring_buffer__poll(Pointer rb, int timeoutMs);

  /** Calls the callback for every record available now, without waiting; count or -errno. */
  int ring_buffer__consume(Pointer rb);

  void ring_buffer__free(Pointer rb);
}
