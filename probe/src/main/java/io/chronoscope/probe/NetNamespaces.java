package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The network namespaces of the host, each with a sock_diag socket opened inside it. A namespace
 * is found through any process holding it (/proc/PID/ns/net) or a name under /run/netns
 * ({@code ip netns add}). Entering a namespace takes setns(2) on a short-lived thread of our own
 * that exits afterwards, so no JVM thread ever changes namespace; the netlink socket it creates
 * stays in that namespace, so every later dump runs on the scanning thread without setns.
 */
final class NetNamespaces implements AutoCloseable {
  private static final String NET_PREFIX = "net:[";

  private final Path procRoot;
  private final Path namedRoot;
  private final long host;
  private final Map<Long, Entered> entered = new HashMap<>();
  /** Per pid: its start time and network namespace inode when last read. */
  private final Map<Integer, long[]> byPid = new HashMap<>();
  static final int FULL_EVERY = 60;
  private int refreshes;
  private String lastFailure;

  /** A namespace we hold a socket in, and a path that opens it (for later setns). */
  private record Entered(String path, SockDiagSource sockets) {}

  NetNamespaces(Path procRoot) {
    this(procRoot, Path.of("/run/netns"));
  }

  NetNamespaces(Path procRoot, Path namedRoot) {
    this.procRoot = procRoot;
    this.namedRoot = namedRoot;
    long self = inodeOf(Path.of("/proc/thread-self/ns/net"));
    if (self == 0) {
      throw new IllegalStateException("cannot read the probe's own network namespace from"
          + " /proc/thread-self/ns/net");
    }
    this.host = self;
  }

  /** Inode of the probe's own network namespace, where the host's interfaces usually live. */
  long host() {
    return host;
  }

  /**
   * Finds the namespaces held by {@code pids} or named under /run/netns, opens a socket in each
   * new one and closes those of namespaces gone since the last call.
   */
  synchronized void refresh(int[] pids) {
    refresh(pids, pid -> -1);
  }

  /**
   * Like {@link #refresh(int[])}, reading a process's namespace link only when the process is new
   * ({@code startTimeOf} differs from the last call, or is -1), and every process's every
   * {@link #FULL_EVERY} calls: a process moves to another namespace by setns or unshare, nearly
   * always right before exec, which the periodic re-read catches late at worst.
   */
  synchronized void refresh(int[] pids, java.util.function.IntToLongFunction startTimeOf) {
    boolean full = refreshes++ % FULL_EVERY == 0;
    Map<Integer, long[]> placed = new HashMap<>(pids.length * 2);
    Map<Long, String> found = new HashMap<>();
    for (int pid : pids) {
      long startTime = startTimeOf.applyAsLong(pid);
      long[] known = byPid.get(pid);
      if (full || known == null || startTime == -1 || known[0] != startTime) {
        known = new long[] {startTime,
            inodeOf(procRoot.resolve(Integer.toString(pid)).resolve("ns/net"))};
      }
      placed.put(pid, known);
      long inode = known[1];
      if (inode != 0 && inode != host && !found.containsKey(inode)) {
        found.put(inode, procRoot.resolve(Integer.toString(pid)).resolve("ns/net").toString());
      }
    }
    byPid.clear();
    byPid.putAll(placed);
    if (Files.isDirectory(namedRoot)) {
      try (DirectoryStream<Path> names = Files.newDirectoryStream(namedRoot)) {
        for (Path name : names) {
          Object inode = Files.getAttribute(name, "unix:ino");
          if (inode instanceof Long ino && ino != host) {
            found.putIfAbsent(ino, name.toString());
          }
        }
      } catch (IOException | RuntimeException unreadable) {
        // named namespaces are a bonus; processes still lead to every namespace in use
      }
    }
    for (Iterator<Map.Entry<Long, Entered>> it = entered.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Entered> e = it.next();
      if (!found.containsKey(e.getKey())) {
        e.getValue().sockets().close(); // our socket would otherwise keep the namespace alive
        it.remove();
      }
    }
    for (Map.Entry<Long, String> e : found.entrySet()) {
      if (!entered.containsKey(e.getKey())) {
        long inode = e.getKey();
        try {
          SockDiagSource sockets = inside(e.getValue(), inode, () -> SockDiagSource.open(inode));
          entered.put(inode, new Entered(e.getValue(), sockets));
        } catch (IOException | RuntimeException raceOrRefused) {
          // the holder exited meanwhile, or setns is refused (no CAP_SYS_ADMIN): next scan again
          lastFailure = "net namespace " + inode + " via " + e.getValue() + ": " + raceOrRefused;
        }
      }
    }
  }

  /** The sock_diag sources of every namespace other than the probe's own, by inode. */
  synchronized Map<Long, SockDiagSource> others() {
    Map<Long, SockDiagSource> out = new HashMap<>();
    entered.forEach((inode, e) -> out.put(inode, e.sockets()));
    return out;
  }

  /** Human line for --explain. */
  synchronized String explain() {
    return "network namespaces: " + (entered.size() + 1) + " (the probe's own, " + host
        + ", and " + entered.size() + " entered through setns on a short-lived thread)"
        + (lastFailure == null ? "" : "; last failure: " + lastFailure);
  }

  /**
   * Runs {@code work} on a new thread that first enters the network namespace {@code path}
   * (a /proc/PID/ns/net link or a /run/netns file) and checks it is {@code inode}. The thread
   * exits afterwards, taking the changed namespace with it.
   */
  static <T> T inside(String path, long inode, Callable<T> work) throws IOException {
    FutureTask<T> task = new FutureTask<>(() -> {
      int fd = NetCalls.open(path, NetCalls.O_RDONLY | NetCalls.O_CLOEXEC);
      try {
        NetCalls.setns(fd, NetCalls.CLONE_NEWNET);
      } finally {
        LibC.close(fd);
      }
      long now = inodeOf(Path.of("/proc/thread-self/ns/net"));
      if (now != inode) {
        // pid reused by a process of another namespace between readlink and open
        throw new IOException("entered net namespace " + now + " through " + path
            + " but expected " + inode);
      }
      return work.call();
    });
    Thread thread = new Thread(task, "chronoscope-netns-" + inode);
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted entering net namespace " + inode, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LastErrorException le) {
        throw new IOException("setns into net namespace " + inode + " via " + path
            + " failed: errno " + le.getErrorCode(), le);
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("entering net namespace " + inode + " failed", cause);
    }
  }

  /** The inode in a {@code net:[4026531840]} link, 0 when unreadable (process gone). */
  static long inodeOf(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException gone) {
      return 0;
    }
    if (!target.startsWith(NET_PREFIX) || !target.endsWith("]")) {
      return 0;
    }
    try {
      return Long.parseLong(target, NET_PREFIX.length(), target.length() - 1, 10);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public synchronized void close() {
    entered.values().forEach(e -> e.sockets().close());
    entered.clear();
  }

  static List<Long> sorted(Iterable<Long> inodes) {
    List<Long> out = new ArrayList<>();
    inodes.forEach(out::add);
    out.sort(null);
    return out;
  }
}
