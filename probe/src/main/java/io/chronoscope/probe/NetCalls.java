package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls that network namespaces and netlink subscriptions need beyond {@link LibC}:
 * entering a namespace, and binding a netlink socket to multicast groups.
 */
final class NetCalls {
  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;
  static final int CLONE_NEWNET = 0x40000000;
  static final int SO_RCVBUF = 8;
  static final int SO_RCVBUFFORCE = 33;
  static final int ENOBUFS = 105;
  static final int EAGAIN = 11;

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private NetCalls() {}

  static native int open(String path, int flags) throws LastErrorException;

  static native int setns(int fd, int nstype) throws LastErrorException;

  static native int bind(int fd, Pointer addr, int addrLen) throws LastErrorException;
}
