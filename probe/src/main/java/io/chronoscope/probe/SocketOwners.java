package io.chronoscope.probe;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which process holds which socket, found by reading every /proc/PID/fd symlink
 * ({@code socket:[inode]}). This is the expensive part of a tick, one readlink per open file of
 * every process, and it lives here alone so it can be made incremental later.
 */
final class SocketOwners {
  private static final String SOCKET_PREFIX = "socket:[";

  private final Path procRoot;
  private final Map<Long, Integer> pidByInode = new HashMap<>();
  // open fd count per pid of the last scan, parallel arrays in the ascending order of the pids
  private int[] countedPids = new int[0];
  private int[] fdCounts = new int[0];

  SocketOwners(Path procRoot) {
    this.procRoot = procRoot;
  }

  /**
   * Rebuilds the inode → pid map from the fds of {@code pids}. A socket shared by several
   * processes (inherited over fork) goes to the first pid given, in /proc order the lowest,
   * usually the parent that made it.
   */
  void scan(int[] pids) {
    pidByInode.clear();
    countedPids = pids;
    if (fdCounts.length < pids.length) {
      fdCounts = new int[pids.length];
    }
    for (int n = 0; n < pids.length; n++) {
      int p = pids[n];
      fdCounts[n] = -1;
      Integer pid = p;
      Path fdDir = procRoot.resolve(Integer.toString(p)).resolve("fd");
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
        fdCounts[n] = 0;
        for (Path fd : fds) {
          fdCounts[n]++;
          long inode = socketInode(fd);
          if (inode > 0) {
            pidByInode.putIfAbsent(inode, pid);
          }
        }
      } catch (IOException | DirectoryIteratorException goneOrForbidden) {
        // exited since the process walk, or fds hidden from us (no CAP_SYS_PTRACE): owner unknown
      }
    }
  }

  /** The pid holding the socket, or null when no process we can see holds it. */
  Integer pidOf(long inode) {
    return pidByInode.get(inode);
  }

  /** Open fds of {@code pid} at the last scan, or -1 when they were not readable. */
  int openFds(int pid) {
    int at = java.util.Arrays.binarySearch(countedPids, pid);
    return at >= 0 ? fdCounts[at] : -1;
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
