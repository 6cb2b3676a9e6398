package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the probe needs, bound through JNA direct mapping (no proxy per call).
 * size_t and ssize_t are Java {@code long}: true on every 64-bit Linux (LP64), the only target.
 */
final class LibC {
  static final int EINTR = 4;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVTIMEO = 20;
  static final int SC_CLK_TCK = 2;
  static final int SC_PAGESIZE = 30;
  static final int SC_NPROCESSORS_ONLN = 84;

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private LibC() {}

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrLen)
      throws LastErrorException;

  static native long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, Pointer value, int len)
      throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  static native long read(int fd, Pointer buf, long count) throws LastErrorException;

  static native long sysconf(int name) throws LastErrorException;

  /** sysconf, or the fallback when JNA cannot load (the probe still works with Linux defaults). */
  static long sysconfOr(int name, long fallback) {
    try {
      long value = sysconf(name);
      return value > 0 ? value : fallback;
    } catch (LinkageError | LastErrorException e) {
      return fallback;
    }
  }
}
