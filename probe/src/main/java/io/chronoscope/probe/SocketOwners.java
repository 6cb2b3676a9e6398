package io.chronoscope.probe;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import io.chronoscope.model.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which process holds which socket, found by reading /proc/PID/fd symlinks
 * ({@code socket:[inode]}). Reading every fd of every process is the expensive part of a tick,
 * so it is incremental: a process's fds are re-read only when it is new or its open-file count
 * (the size Linux 6.2+ reports for /proc/PID/fd) changed; everything is re-read when a socket
 * inode no process is known to hold shows up after that, and every {@link #FULL_EVERY} scans.
 */
final class SocketOwners implements java.util.function.LongFunction<Integer> {
  private static final String SOCKET_PREFIX = "socket:[";

  private final Path procRoot;
  /**
   * Every fd of every process is read again this often (10 min at 1 s) for what no count or new
   * inode shows: a socket handed to another process over a Unix socket.
   */
  static final int FULL_EVERY = 600;
  /** How often open-file counts are read when nothing else asks for it: every 10 s at 1 s. */
  static final int COUNTS_EVERY = 10;
  private final java.util.Set<Long> unowned = new java.util.HashSet<>();
  private int ticks;
  private int lastFull;
  private long version;

  private final Map<Long, Integer> pidByInode = new HashMap<>();
  /** Per pid: open-file count when its fds were read, and the socket inodes it held then. */
  private final Map<Integer, Held> held = new HashMap<>();

  /** {@code openFds} is the kernel's count when reported, else the entries counted while reading. */
  private record Held(long fdCount, long[] inodes, int openFds) {}

  SocketOwners(Path procRoot) {
    this.procRoot = procRoot;
  }

  /**
   * Brings the map up to date when something may have moved, and otherwise does nothing, so a
   * steady scan reads no /proc/PID/fd at all. Something may have moved when a process started
   * or exited, when {@code listed} holds a socket inode the map does not know (a new socket;
   * {@code sameSockets} says the listing is the last one again, so none is new),
   * and every {@link #COUNTS_EVERY} calls, which also refreshes {@link #openFds(int)}.
   *
   * @return whether the map was brought up to date, so owners looked up before are stale
   */
  boolean refresh(int[] pids, boolean processesChanged, List<Connection> listed,
      boolean sameSockets) {
    int tick = ticks++;
    boolean full = tick % FULL_EVERY == 0;
    boolean unknown = !sameSockets && hasUnknown(listed);
    if (!full && tick % COUNTS_EVERY != 0 && !processesChanged && !unknown) {
      return false;
    }
    // Processes that only started or exited: read the new ones' fds, not every count.
    walk(pids, full, !full && tick % COUNTS_EVERY != 0 && !unknown);
    if (full) {
      lastFull = tick;
    } else if (tick - lastFull >= COUNTS_EVERY && hasUnknown(listed)) {
      // A socket closed and another opened by the same process leave its fd count as it was:
      // only reading every process's fds finds the new one. At most every COUNTS_EVERY scans,
      // since a socket closed between listing and walk looks the same and busy hosts have many.
      walk(pids, true);
      lastFull = tick;
    }
    unowned.clear();
    for (Connection c : listed) {
      if (c.inode() != 0 && !pidByInode.containsKey(c.inode())) {
        unowned.add(c.inode()); // held by nobody we can see: no reason to walk again for it
      }
    }
    return true;
  }

  private boolean hasUnknown(List<Connection> listed) {
    for (Connection c : listed) {
      long inode = c.inode();
      if (inode != 0 && !pidByInode.containsKey(inode) && !unowned.contains(inode)) {
        return true;
      }
    }
    return false;
  }

  private void walk(int[] pids, boolean full) {
    walk(pids, full, false);
  }

  /** {@code newOnly}: processes read before keep what was read then, without a count check. */
  private void walk(int[] pids, boolean full, boolean newOnly) {
    boolean changed = full;
    Map<Integer, Held> previous = new HashMap<>(held);
    held.clear();
    for (int p : pids) {
      Integer pid = p;
      Held before = previous.remove(pid);
      if (newOnly && before != null) {
        held.put(pid, before);
        continue;
      }
      Path fdDir = procRoot.resolve(Integer.toString(p)).resolve("fd");
      long count = fdCount(fdDir);
      if (!full && before != null && count >= 0 && before.fdCount() == count) {
        held.put(pid, before);
        continue;
      }
      changed = true;
      long[] inodes = new long[8];
      int n = 0;
      int entries = -1;
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
        entries = 0;
        for (Path fd : fds) {
          entries++;
          long inode = socketInode(fd);
          if (inode > 0) {
            if (n == inodes.length) {
              inodes = java.util.Arrays.copyOf(inodes, n * 2);
            }
            inodes[n++] = inode;
          }
        }
      } catch (IOException | DirectoryIteratorException goneOrForbidden) {
        // exited since the process walk, or fds hidden from us (no CAP_SYS_PTRACE): owner unknown
      }
      held.put(pid, new Held(count, java.util.Arrays.copyOf(inodes, n), count >= 0 ? (int) count : entries));
    }
    if (changed || !previous.isEmpty()) {
      // Rebuilt in pid order, so a socket shared over fork still goes to the lowest pid.
      version++;
      pidByInode.clear();
      for (int p : pids) {
        Held h = held.get(p);
        if (h != null) {
          Integer pid = p;
          for (long inode : h.inodes()) {
            pidByInode.putIfAbsent(inode, pid);
          }
        }
      }
    }
  }

  /** Open files of a process as the kernel counts them, or -1 where that is not reported. */
  private static long fdCount(Path fdDir) {
    try {
      long size = Files.size(fdDir);
      return size > 0 ? size : -1; // before 6.2 the size is 0: always re-read
    } catch (IOException gone) {
      return -1;
    }
  }

  /** Open files of {@code pid} at the last scan, or -1 when unknown (exited, or fds hidden). */
  int openFds(int pid) {
    Held h = held.get(pid);
    return h == null ? -1 : h.openFds();
  }

  /** The pid holding the socket, or null when no process we can see holds it. */
  Integer pidOf(long inode) {
    return pidByInode.get(inode);
  }

  @Override
  public Integer apply(long inode) {
    return pidByInode.get(inode);
  }

  /** Grows whenever the inode → pid map is rebuilt: owners looked up before may be stale. */
  long version() {
    return version;
  }

  int size() {
    return pidByInode.size();
  }

  private static long socketInode(Path fd) {
    String target;
    try {
      target = Files.readSymbolicLink(fd).toString();
    } catch (IOException closed) {
      return 0;
    }
    if (!target.startsWith(SOCKET_PREFIX) || !target.endsWith("]")) {
      return 0;
    }
    long inode = 0;
    for (int i = SOCKET_PREFIX.length(); i < target.length() - 1; i++) {
      int digit = target.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return 0;
      }
      inode = inode * 10 + digit;
    }
    return inode;
  }
}
