package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.chronoscope.model.ProcessInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Process fork, exec and exit events from the kernel's proc connector (NETLINK_CONNECTOR,
 * CN_IDX_PROC), so a process that lives and dies between two scans is still reported, with its
 * exit code. A daemon thread reads the events as they come and reads /proc/PID at fork and exec,
 * while the process is (usually) still there, so comm, cmdline, user and cgroup are known.
 *
 * <p>{@link #exitedSince()} drains pending events itself under the same lock the thread uses:
 * the kernel queues the exit event before the parent can reap the child, so a process whose
 * parent saw it exit is in the next report, with no race against the reading thread.
 */
final class ProcConnector implements AutoCloseable {
  /** Exited processes kept for the next scan; past this the oldest are dropped and counted. */
  static final int MAX_EXITED = 10_000;
  /** Processes whose start was seen and that have not exited yet. */
  static final int MAX_STARTED = 65_536;

  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_CONNECTOR = 11;
  private static final int CN_IDX_PROC = 1;
  private static final int CN_VAL_PROC = 1;
  private static final int PROC_CN_MCAST_LISTEN = 1;
  private static final int NLMSG_DONE = 3;
  private static final int NLMSG_HEADER = 16;
  private static final int CN_MSG = 20;
  private static final int EVENT = NLMSG_HEADER + CN_MSG; // struct proc_event in the datagram
  private static final int EVENT_DATA = EVENT + 16;
  private static final int PROC_EVENT_FORK = 0x1;
  private static final int PROC_EVENT_EXEC = 0x2;
  private static final int PROC_EVENT_EXIT = 0x80000000;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int RECEIVE_BUFFER_BYTES = 4 << 20; // bursts of forks between two reads
  private static final int MSG_DONTWAIT = 0x40;
  private static final int EAGAIN = 11;
  private static final int ENOBUFS = 105;
  private static final int POLLIN = 1;
  private static final int POLL_MILLIS = 500; // how soon the thread notices close()
  private static final int CLOCK_MONOTONIC = 1;

  private final int fd;
  private final Path procRoot;
  private final long hostNetNamespace;
  private final long clockTicksPerSecond;
  private final UserNames users;
  private final Memory receive = new Memory(8192);
  private final Memory pollFd = new Memory(8);
  private final Map<Integer, Started> started = new LinkedHashMap<>();
  private final ArrayDeque<ProcessInfo> exited = new ArrayDeque<>();
  private final Thread reader;
  private long dropped;
  private long overruns;
  private volatile boolean closed;

  private ProcConnector(int fd, Path procRoot, long hostNetNamespace, UserNames users) {
    this.fd = fd;
    this.procRoot = procRoot;
    this.hostNetNamespace = hostNetNamespace;
    this.users = users;
    this.clockTicksPerSecond = LibC.sysconfOr(LibC.SC_CLK_TCK, 100);
    this.reader = new Thread(this::readLoop, "chronoscope-proc-connector");
    reader.setDaemon(true);
  }

  /**
   * Subscribes to process events and starts the reading thread. Throws (LastErrorException,
   * LinkageError) where that is refused: no CAP_NET_ADMIN, no connector in the kernel, no JNA.
   */
  static ProcConnector open(Path procRoot, long hostNetNamespace, UserNames users) {
    int fd = LibC.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    try {
      Memory size = new Memory(4);
      size.setInt(0, RECEIVE_BUFFER_BYTES);
      try {
        LibC.setsockopt(fd, LibC.SOL_SOCKET, SO_RCVBUFFORCE, size, 4);
      } catch (LastErrorException notRoot) {
        // the default buffer only means losing events in a fork storm; overruns() counts them
      }
      Memory address = new Memory(12); // struct sockaddr_nl
      address.clear();
      address.setShort(0, (short) AF_NETLINK);
      address.setInt(8, CN_IDX_PROC); // nl_groups
      Calls.bind(fd, address, 12);
      Memory listen = new Memory(NLMSG_HEADER + CN_MSG + 4);
      listen.clear();
      listen.setInt(0, (int) listen.size()); // nlmsg_len
      listen.setShort(4, (short) NLMSG_DONE); // nlmsg_type
      listen.setInt(NLMSG_HEADER, CN_IDX_PROC); // cb_id.idx
      listen.setInt(NLMSG_HEADER + 4, CN_VAL_PROC); // cb_id.val
      listen.setShort(NLMSG_HEADER + 16, (short) 4); // cn_msg.len
      listen.setInt(NLMSG_HEADER + CN_MSG, PROC_CN_MCAST_LISTEN);
      Memory kernel = new Memory(12);
      kernel.clear();
      kernel.setShort(0, (short) AF_NETLINK);
      LibC.sendto(fd, listen, listen.size(), 0, kernel, 12);
      ProcConnector connector = new ProcConnector(fd, procRoot, hostNetNamespace, users);
      connector.reader.start();
      return connector;
    } catch (RuntimeException | Error e) {
      LibC.close(fd);
      throw e;
    }
  }

  /** Processes that exited since the last call (each reported once), oldest first. */
  List<ProcessInfo> exitedSince() {
    synchronized (this) {
      drain();
      List<ProcessInfo> result = new ArrayList<>(exited);
      exited.clear();
      return result;
    }
  }

  /** Exited processes dropped because no scan took them in time. */
  synchronized long dropped() {
    return dropped;
  }

  /** Times the kernel dropped events because the socket buffer was full (ENOBUFS). */
  synchronized long overruns() {
    return overruns;
  }

  private void readLoop() {
    pollFd.setInt(0, fd);
    pollFd.setShort(4, (short) POLLIN);
    while (!closed) {
      try {
        pollFd.setShort(6, (short) 0);
        if (Calls.poll(pollFd, 1, POLL_MILLIS) > 0) {
          synchronized (this) {
            if (!closed) {
              drain();
            }
          }
        }
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.EINTR && !closed) {
          return; // the socket is broken: scans still walk /proc, only short-lived ones are lost
        }
      }
    }
  }

  /** Reads every queued datagram without blocking. Call with the lock held. */
  private void drain() {
    while (!closed) {
      long length;
      try {
        length = LibC.recv(fd, receive, receive.size(), MSG_DONTWAIT);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == ENOBUFS) {
          overruns++;
          continue;
        }
        if (e.getErrorCode() == LibC.EINTR) {
          continue;
        }
        return; // EAGAIN: nothing more queued
      }
      int offset = 0;
      while (offset + EVENT_DATA + 8 <= length) {
        int messageLength = receive.getInt(offset);
        if (messageLength < EVENT_DATA || offset + messageLength > length) {
          break;
        }
        handle(receive.share(offset));
        offset += (messageLength + 3) & ~3;
      }
    }
  }

  private void handle(Pointer message) {
    int what = message.getInt(EVENT);
    long timestampNanos = message.getLong(EVENT + 8);
    switch (what) {
      case PROC_EVENT_FORK -> {
        int parentTgid = message.getInt(EVENT_DATA + 4);
        int childPid = message.getInt(EVENT_DATA + 8);
        int childTgid = message.getInt(EVENT_DATA + 12);
        if (childPid == childTgid) { // a new process, not a new thread
          Started process = new Started(childPid, parentTgid, timestampNanos);
          process.readProc();
          remember(process);
        }
      }
      case PROC_EVENT_EXEC -> {
        int pid = message.getInt(EVENT_DATA);
        Started process = started.get(pid);
        if (process == null) {
          process = new Started(pid, 0, timestampNanos);
          remember(process);
        }
        process.readProc();
      }
      case PROC_EVENT_EXIT -> {
        int pid = message.getInt(EVENT_DATA);
        int tgid = message.getInt(EVENT_DATA + 4);
        int status = message.getInt(EVENT_DATA + 8);
        if (pid == tgid) {
          Started process = started.remove(pid);
          if (process != null) {
            addExited(process.exited(timestampNanos, status));
          }
        }
      }
      default -> { } // uid, sid, comm, ptrace, coredump changes: nothing the report carries
    }
  }

  private void remember(Started process) {
    if (started.size() >= MAX_STARTED) {
      Iterator<Integer> oldest = started.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    started.put(process.pid, process);
  }

  private void addExited(ProcessInfo process) {
    if (exited.size() >= MAX_EXITED) {
      exited.removeFirst();
      dropped++;
    }
    exited.addLast(process);
  }

  /** A kernel event time (CLOCK_MONOTONIC ns, ktime_get_ns) as epoch ms. */
  private static long epochMillis(long monotonicNanos) {
    Memory now = new Memory(16);
    Calls.clock_gettime(CLOCK_MONOTONIC, now);
    long nowNanos = now.getLong(0) * 1_000_000_000L + now.getLong(8);
    return System.currentTimeMillis() - (nowNanos - monotonicNanos) / 1_000_000;
  }

  /**
   * The exit code as a shell would show it for a normal exit, or minus the signal number for a
   * process killed by a signal (so 3 and SIGQUIT never look alike). {@code status} is the
   * kernel's wait status.
   */
  static int exitCode(int status) {
    int signal = status & 0x7f;
    return signal == 0 ? (status >> 8) & 0xff : -signal;
  }

  @Override
  public void close() {
    closed = true;
    try {
      reader.join(2L * POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      LibC.close(fd);
    }
  }

  /** What is known of a process whose start (fork or exec) the connector saw. */
  private final class Started {
    final int pid;
    int ppid;
    final long forkedAtNanos;
    long startTime;
    String comm;
    String cmdline;
    String user;
    String cgroup;
    Long netNamespace;

    Started(int pid, int ppid, long forkedAtNanos) {
      this.pid = pid;
      this.ppid = ppid;
      this.forkedAtNanos = forkedAtNanos;
      // /proc's start_time is boot-based ticks; the fork event's time is the same clock on a
      // host that never suspended, to within one tick. Replaced by /proc's value when readable.
      this.startTime = forkedAtNanos * clockTicksPerSecond / 1_000_000_000L;
    }

    /** Reads what /proc still shows of the process; keeps what was known when it is gone. */
    void readProc() {
      File dir = procRoot.resolve(Integer.toString(pid)).toFile();
      try {
        byte[] stat = Files.readAllBytes(new File(dir, "stat").toPath());
        ProcStat parsed = ProcStat.parse(stat, stat.length, comm);
        startTime = parsed.startTime();
        ppid = parsed.ppid();
        comm = parsed.comm();
        byte[] args = Files.readAllBytes(new File(dir, "cmdline").toPath());
        int length = Math.min(args.length, ProcessTable.MAX_CMDLINE_BYTES);
        String line = ProcessTable.cmdline(args, length);
        cmdline = line.isEmpty() ? cmdline : line;
        user = userOf(Files.readString(new File(dir, "status").toPath()));
        cgroup = ContainerIds.pathOf(Files.readString(new File(dir, "cgroup").toPath()));
        netNamespace = ProcessDetails.namespaceInode(dir.toPath().resolve("ns/net"));
      } catch (IOException | RuntimeException gone) {
        // exited and reaped before we got here: the event's pids and times still stand
      }
    }

    ProcessInfo exited(long exitedAtNanos, int status) {
      String containerId = null;
      if (cgroup != null) {
        ContainerIds.ContainerRef ref = ContainerIds.of(cgroup,
            netNamespace != null && netNamespace != hostNetNamespace);
        containerId = ref == null ? null : ref.id();
      }
      return new ProcessInfo(pid, ppid, startTime, epochMillis(forkedAtNanos), comm,
          cmdline != null ? cmdline : comm == null ? null : "[" + comm + "]", user, 0, 0,
          null, null, cgroup, netNamespace, containerId, epochMillis(exitedAtNanos),
          exitCode(status));
    }

    private String userOf(String status) {
      int at = status.indexOf("\nUid:");
      if (at < 0) {
        return user;
      }
      String[] ids = status.substring(at + 5, status.indexOf('\n', at + 5)).strip().split("\\s+");
      return ids.length > 1 ? users.nameOf(Integer.parseInt(ids[1])) : user;
    }
  }

  /** The calls LibC does not bind, kept here so the connector is one file. */
  private static final class Calls {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    static native int clock_gettime(int clock, Pointer timespec) throws LastErrorException;
  }
}
