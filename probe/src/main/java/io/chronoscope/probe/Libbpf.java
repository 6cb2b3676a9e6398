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

  String libbpf_version_string();

  /** Writes a message for a libbpf or errno error code (positive or negative) into buf. */
  int libbpf_strerror(int err, byte[] buf, long size);

  /** The ELF bytes must stay valid until {@link #bpf_object__load} returns. */
  Pointer bpf_object__open_mem(Pointer objBuf, long objBufSize, Pointer opts);

  int bpf_object__load(Pointer obj);

  Pointer bpf_object__find_program_by_name(Pointer obj, String name);

  int bpf_object__find_map_fd_by_name(Pointer obj, String name);

  Pointer bpf_program__attach(Pointer prog);

  int bpf_link__destroy(Pointer link);

  void bpf_object__close(Pointer obj);

  Pointer ring_buffer__new(int mapFd, SampleCallback sampleCb, Pointer ctx, Pointer opts);

  /** Waits up to timeoutMs for data, then calls the callback per record; count or -errno. */
  int ring_buffer__poll(Pointer rb, int timeoutMs);

  /** Calls the callback for every record available now, without waiting; count or -errno. */
  int ring_buffer__consume(Pointer rb);

  void ring_buffer__free(Pointer rb);
}
