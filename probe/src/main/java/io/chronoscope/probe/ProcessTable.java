package io.chronoscope.probe;

import io.chronoscope.model.ProcessInfo;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of the host, read from /proc every scan. What does not change while a process
 * lives (cmdline, user) is cached per (pid, start time), so a steady tick reads only
 * /proc/PID/stat per process, and that through a file kept open per process (up to
 * {@link #MAX_HELD}): pread(2) on it makes the kernel regenerate the text without the path
 * lookup, open and close that cost more than the read itself. A kept file is bound to the
 * process it was opened for, so a reused pid can never be mistaken for it: reading fails.
 *
 * <p>A single-threaded process that has not run since the last scan has nothing new in its stat
 * line but its RSS, which only reclaim can change meanwhile. Its /proc/PID/schedstat (the run
 * time in nanoseconds, a fifth of the cost of stat) says whether it ran; if not, the last
 * record is reported again with 0 % CPU. Each such process still has its stat read every
 * {@link #REFRESH_EVERY} scans, staggered by pid. Multi-threaded processes have stat read every
 * scan: schedstat counts only the main thread, and a single-threaded process must run to start
 * a second one.
 */
final class ProcessTable implements AutoCloseable {
  static final int REFRESH_EVERY = 10;
  /** Kept files (two per process) stay within a quarter of the process's file limit. */
  private static final long MAX_HELD = Math.min(32_768, maxFileDescriptors() / 4);
  private long held;
  private boolean changed;
  private final java.nio.ByteBuffer statBuffer =
      java.nio.ByteBuffer.allocateDirect(MAX_CMDLINE_BYTES);
  /** Longer command lines are cut: a report stays bounded whatever a process was started with. */
  static final int MAX_CMDLINE_BYTES = 4096;
  private static final byte[] UID_LINE = "\nUid:".getBytes(StandardCharsets.US_ASCII);

  private final File procDir;
  private final UserNames users;
  private final long bootTimeMs;
  private final long clockTicksPerSecond;
  private final long pageSize;
  private final ProcReader reader = new ProcReader(MAX_CMDLINE_BYTES);
  private final Map<Integer, Tracked> tracked = new HashMap<>();
  private int[] fileHolders = new int[256];
  private int fileHolderCount;
  private long generation;
  private boolean started;
  private TaskIterator tasks;
  private String tasksFailure;
  /** Pids /proc lists and the iterator does not show; read through /proc each scan. */
  private int[] missedByTasks = new int[0];
  private final Map<Integer, Long> threadRunNanos = new HashMap<>();
  private final List<TaskIterator.Task> seenTasks = new ArrayList<>();

  ProcessTable(Path procRoot, UserNames users) {
    this(procRoot, users, null);
  }

  /**
   * With {@code tasks}, every scan reads all processes from one pass of the BPF task iterator
   * and touches /proc only for a process seen for the first time (its cmdline and user) and for
   * processes the iterator does not show (it skips pid 1 on some kernels; a /proc listing every
   * {@link #REFRESH_EVERY} scans finds such pids). Should the iterator fail, scans go on through
   * /proc.
   */
  ProcessTable(Path procRoot, UserNames users, TaskIterator tasks) {
    this.tasks = tasks;
    this.procDir = procRoot.toFile();
    this.users = users;
    this.clockTicksPerSecond = LibC.sysconfOr(LibC.SC_CLK_TCK, 100);
    this.pageSize = LibC.sysconfOr(LibC.SC_PAGESIZE, 4096);
    // Read once: the kernel derives btime from the wall clock, so re-reading it would let the
    // same process's startedAt drift by a second between scans.
    this.bootTimeMs = bootTimeSeconds(procRoot) * 1000;
  }

  List<ProcessInfo> scan() {
    if (tasks != null) {
      try {
        return scanTasks();
      } catch (RuntimeException e) {
        tasksFailure = e.getMessage();
        System.getLogger(ProcessTable.class.getName()).log(System.Logger.Level.WARNING,
            "the BPF task iterator failed, processes are read from /proc from now on: "
                + e.getMessage());
        close(); // what the iterator measured (whole-process run time) means nothing below
      }
    }
    String[] names = procDir.list();
    if (names == null) {
      throw new UncheckedIOException(new IOException("cannot list procRoot " + procDir));
    }
    generation++;
    fileHolderCount = 0;
    List<ProcessInfo> processes = new ArrayList<>(names.length);
    for (String name : names) {
      int pid = pidOf(name);
      if (pid > 0) {
        ProcessInfo process = read(pid, name);
        if (process != null) {
          processes.add(process);
        }
      }
    }
    forgetUnseen();
    return processes;
  }

  /** One line for --explain. */
  String describe() {
    if (tasks != null) {
      return "processes: BPF task iterator (iter/task), every process in one read; /proc only for"
          + " a new process's cmdline and user";
    }
    return "processes: /proc/PID/stat per process through kept files, schedstat for idle ones"
        + (tasksFailure != null ? " (BPF task iterator failed: " + tasksFailure + ")" : "");
  }

  private List<ProcessInfo> scanTasks() {
    generation++;
    fileHolderCount = 0;
    seenTasks.clear();
    threadRunNanos.clear();
    tasks.scan(new TaskIterator.Visitor() {
      @Override
      public void process(TaskIterator.Task task) {
        seenTasks.add(task);
      }

      @Override
      public void thread(int pid, long runNanos) {
        threadRunNanos.merge(pid, runNanos, Long::sum);
      }
    });
    long readAt = System.nanoTime();
    List<ProcessInfo> processes = new ArrayList<>(seenTasks.size() + missedByTasks.length);
    long nanosPerTick = 1_000_000_000L / clockTicksPerSecond;
    for (TaskIterator.Task task : seenTasks) {
      Long threads = threadRunNanos.get(task.pid());
      long run = task.runNanos() + (threads == null ? 0 : threads);
      ProcessInfo process = fromTask(task, task.startBoottimeNs() / nanosPerTick, run, readAt);
      if (process != null) {
        processes.add(process);
      }
    }
    if (generation % REFRESH_EVERY == 1) {
      // What the iterator leaves out: found by listing /proc now and then, read the /proc way.
      String[] names = procDir.list();
      int[] missed = new int[names == null ? 0 : names.length];
      int n = 0;
      for (String name : names == null ? new String[0] : names) {
        int pid = pidOf(name);
        Tracked t = pid > 0 ? tracked.get(pid) : null;
        if (pid > 0 && (t == null || t.generation != generation)) {
          missed[n++] = pid;
        }
      }
      missedByTasks = Arrays.copyOf(missed, n);
    }
    for (int pid : missedByTasks) {
      Tracked t = tracked.get(pid);
      if (t == null || t.generation != generation) {
        ProcessInfo process = read(pid, Integer.toString(pid));
        if (process != null) {
          processes.add(process);
        }
      }
    }
    forgetUnseen();
    return processes;
  }

  /** A process as the iterator saw it; null when it is gone before its cmdline was read. */
  private ProcessInfo fromTask(TaskIterator.Task task, long startTime, long runNanos,
      long readAt) {
    int pid = task.pid();
    Tracked known = tracked.get(pid);
    double cpuPercent = 0;
    if (known != null && known.startTime == startTime) {
      if (!sameComm(task.comm(), known.comm) && !readStatic(known, fullComm(pid, task.comm()))) {
        return null; // exec'd, and gone before its new cmdline could be read
      }
      long elapsed = readAt - known.readAt;
      if (elapsed > 0 && runNanos > known.runNanos) {
        cpuPercent = (runNanos - known.runNanos) * 100.0 / elapsed;
      }
    } else {
      known = startTracking(pid, known, new File(procDir, pid + "/stat"), startTime,
          fullComm(pid, task.comm()));
      if (known == null) {
        return null;
      }
    }
    holdsFiles(pid, task.kernelThread());
    known.generation = generation;
    known.runNanos = runNanos;
    known.readAt = readAt;
    known.threads = task.threads();
    known.kernelThread = task.kernelThread();
    long rss = task.rssPages() * pageSize;
    ProcessInfo last = known.last;
    // Unchanged and idle: the same record again, nothing allocated.
    if (last != null && cpuPercent == 0 && last.cpuPercent() == 0 && last.rssBytes() == rss
        && last.ppid() == task.ppid() && last.threads() != null
        && last.threads() == task.threads() && last.comm().equals(known.comm)) {
      return last;
    }
    return known.last = new ProcessInfo(pid, task.ppid(), startTime,
        bootTimeMs + startTime * 1000 / clockTicksPerSecond, known.comm, known.cmdline,
        known.user, cpuPercent, rss, task.threads(), null, null, null, null, null, null);
  }

  /**
   * The kernel keeps 15 bytes of a name (TASK_COMM_LEN); /proc shows kernel threads' longer
   * names in full. A 15-byte name may be cut, so it is read from /proc/PID/comm, once per process.
   */
  private String fullComm(int pid, String comm) {
    if (comm.length() < TASK_COMM_LEN - 1) {
      return comm;
    }
    try {
      int length = reader.read(new File(procDir, pid + "/comm"));
      String full = new String(reader.bytes(), 0, length, StandardCharsets.UTF_8).strip();
      return full.startsWith(comm) ? full : comm;
    } catch (IOException gone) {
      return comm;
    }
  }

  private static boolean sameComm(String fromTask, String known) {
    return fromTask.length() < TASK_COMM_LEN - 1 ? fromTask.equals(known) : known.startsWith(fromTask);
  }

  private static final int TASK_COMM_LEN = 16;

  private void forgetUnseen() {
    changed = false;
    for (var it = tracked.values().iterator(); it.hasNext(); ) {
      Tracked t = it.next();
      if (t.generation != generation) {
        t.release();
        it.remove();
        changed = true;
      }
    }
    changed |= started;
    started = false;
  }

  /** Whether the last scan found a process that the one before did not, or lost one. */
  boolean processesChanged() {
    return changed;
  }

  @Override
  public void close() {
    tracked.values().forEach(Tracked::release);
    tracked.clear();
    if (tasks != null) {
      tasks.close();
      tasks = null;
    }
  }

  private int readStat(Tracked known, File statFile) throws IOException {
    if (known == null) {
      return reader.read(statFile);
    }
    if (known.stat == null && held < MAX_HELD) {
      known.stat = java.nio.channels.FileChannel.open(statFile.toPath());
      held++;
    }
    return readKept(known.stat, statFile);
  }

  /**
   * Nanoseconds the process's main thread has run, from its kept schedstat file; -1 when that
   * cannot be known (no CONFIG_SCHED_INFO, no file budget left). Throws when it is gone.
   */
  private long runNanos(Tracked known) throws IOException {
    if (known.schedstat == null) {
      if (known.noSchedstat || held >= MAX_HELD) {
        return -1;
      }
      try {
        known.schedstat = java.nio.channels.FileChannel.open(
            new File(known.statFile.getParentFile(), "schedstat").toPath());
        held++;
      } catch (java.nio.file.NoSuchFileException e) {
        known.noSchedstat = true;
        return -1;
      }
    }
    int length = readKept(known.schedstat, null);
    byte[] text = reader.bytes();
    long run = 0;
    for (int i = 0; i < length && text[i] >= '0' && text[i] <= '9'; i++) {
      run = run * 10 + text[i] - '0';
    }
    return run;
  }

  private int readKept(java.nio.channels.FileChannel kept, File fallback) throws IOException {
    if (kept == null) {
      return reader.read(fallback);
    }
    statBuffer.clear();
    int n;
    // One read returns the whole line; reading on until EOF would cost a second system call
    // per process. A line that is not whole yet ends without its newline: read on then.
    while (statBuffer.hasRemaining()
        && (n = kept.read(statBuffer, statBuffer.position())) > 0) {
      statBuffer.position(statBuffer.position() + n);
      if (statBuffer.get(statBuffer.position() - 1) == '\n') {
        break;
      }
    }
    int length = statBuffer.position();
    statBuffer.flip().get(reader.bytes(), 0, length);
    return length;
  }

  private void holdsFiles(int pid, boolean kernelThread) {
    if (!kernelThread) {
      if (fileHolderCount == fileHolders.length) {
        fileHolders = Arrays.copyOf(fileHolders, 2 * fileHolderCount);
      }
      fileHolders[fileHolderCount++] = pid;
    }
  }

  private static long maxFileDescriptors() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return 4096;
  }

  /** Start time (clock ticks after boot) of a process of the last scan, or -1. */
  long startTimeOf(int pid) {
    Tracked t = tracked.get(pid);
    return t == null ? -1 : t.startTime;
  }

  /** Pids of the last scan that can hold files (not kernel threads), ascending like /proc. */
  int[] fileHolders() {
    return Arrays.copyOf(fileHolders, fileHolderCount);
  }

  /** Null when the process vanished while it was read: normal on a busy host. */
  private ProcessInfo read(int pid, String name) {
    Tracked known = tracked.get(pid);
    File statFile = known != null ? known.statFile : new File(procDir, name + "/stat");
    ProcStat stat;
    long readAt;
    try {
      if (known != null && known.last != null && known.threads == 1) {
        long run = runNanos(known);
        if (run >= 0 && run == known.runNanos && (generation + pid) % REFRESH_EVERY != 0) {
          known.readAt = System.nanoTime(); // no CPU used over this interval either
          known.generation = generation;
          holdsFiles(pid, known.kernelThread);
          if (known.last.cpuPercent() != 0) {
            known.last = known.last.withCpuPercent(0);
          }
          return known.last;
        }
        known.runNanos = run;
      }
      int length = readStat(known, statFile);
      readAt = System.nanoTime();
      stat = ProcStat.parse(reader.bytes(), length, known == null ? null : known.comm);
    } catch (IOException vanished) {
      if (known != null) { // its kept file is of a process that is gone; the pid may be reused
        known.release();
        tracked.remove(pid);
        return read(pid, name);
      }
      return null;
    }
    long cpuTicks = stat.utime() + stat.stime();
    double cpuPercent = 0;
    if (known != null && known.startTime == stat.startTime()) {
      // exec() keeps pid and start time but changes comm: then cmdline and user are stale too.
      if (!stat.comm().equals(known.comm) && !readStatic(known, stat.comm())) {
        return null;
      }
      long elapsedNanos = readAt - known.readAt;
      if (elapsedNanos > 0) {
        cpuPercent = (cpuTicks - known.cpuTicks) * 100.0 * 1e9 / clockTicksPerSecond / elapsedNanos;
      }
    } else {
      known = startTracking(pid, known, statFile, stat.startTime(), stat.comm());
      if (known == null) {
        return null;
      }
    }
    holdsFiles(pid, stat.kernelThread());
    known.generation = generation;
    known.cpuTicks = cpuTicks;
    known.readAt = readAt;
    known.threads = stat.threads();
    known.kernelThread = stat.kernelThread();
    return known.last = new ProcessInfo(pid, stat.ppid(), stat.startTime(),
        bootTimeMs + stat.startTime() * 1000 / clockTicksPerSecond, known.comm, known.cmdline,
        known.user, cpuPercent, stat.rssPages() * pageSize, stat.threads(), null, null, null,
        null, null, null);
  }

  /**
   * A process seen for the first time (or a pid reused): what it replaces is let go, its static
   * fields read. Null when it is gone before they could be read.
   */
  private Tracked startTracking(int pid, Tracked replaced, File statFile, long startTime,
      String comm) {
    if (replaced != null) {
      replaced.release();
    }
    Tracked fresh = new Tracked(statFile, startTime);
    if (!readStatic(fresh, comm)) {
      tracked.remove(pid);
      return null;
    }
    tracked.put(pid, fresh);
    started = true;
    return fresh;
  }

  /** Reads cmdline and user into {@code process}; false when the process is gone. */
  private boolean readStatic(Tracked process, String comm) {
    File pidDir = process.statFile.getParentFile();
    try {
      int length = reader.read(new File(pidDir, "cmdline"));
      String cmdline = cmdline(reader.bytes(), length);
      process.cmdline = cmdline.isEmpty() ? "[" + comm + "]" : cmdline; // kernel threads, zombies
      length = reader.read(new File(pidDir, "status"));
      process.user = users.nameOf(effectiveUid(reader.bytes(), length, pidDir));
      process.comm = comm;
      return true;
    } catch (IOException vanished) {
      return false;
    }
  }

  /** NUL-separated arguments as one line, the way ps shows them. */
  static String cmdline(byte[] bytes, int length) {
    int end = length;
    while (end > 0 && (bytes[end - 1] == 0 || bytes[end - 1] == ' ')) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      if (bytes[i] == 0) {
        bytes[i] = ' ';
      }
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
  }

  /** The effective uid, the second number of status's "Uid:" line, as ps reports the user. */
  private static int effectiveUid(byte[] status, int length, File pidDir) throws IOException {
    int pos = indexOf(status, length, UID_LINE);
    if (pos >= 0) {
      pos += UID_LINE.length;
      for (int field = 0; field < 2; field++) {
        while (pos < length && (status[pos] == '\t' || status[pos] == ' ')) {
          pos++;
        }
        int start = pos;
        int uid = 0;
        while (pos < length && status[pos] >= '0' && status[pos] <= '9') {
          uid = uid * 10 + status[pos++] - '0';
        }
        if (field == 1 && pos > start) {
          return uid;
        }
      }
    }
    throw new IOException(pidDir + "/status has no readable 'Uid:' line");
  }

  private static int indexOf(byte[] bytes, int length, byte[] wanted) {
    search:
    for (int i = 0; i + wanted.length <= length; i++) {
      for (int k = 0; k < wanted.length; k++) {
        if (bytes[i + k] != wanted[k]) {
          continue search;
        }
      }
      return i;
    }
    return -1;
  }

  private static int pidOf(String name) {
    int pid = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      pid = pid * 10 + c - '0';
    }
    return name.isEmpty() ? -1 : pid;
  }

  private static long bootTimeSeconds(Path procRoot) {
    Path stat = procRoot.resolve("stat");
    try {
      for (String line : Files.readAllLines(stat)) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read boot time from " + stat, e);
    }
    throw new IllegalStateException(stat + " has no 'btime' line");
  }

  /** What the table remembers of one process between scans. */
  private final class Tracked {
    final File statFile;
    final long startTime;
    String comm;
    String cmdline;
    String user;
    long cpuTicks;
    long readAt;
    long generation;
    java.nio.channels.FileChannel stat; // kept open while the process lives, or null
    java.nio.channels.FileChannel schedstat;
    boolean noSchedstat;
    long runNanos = -1;
    int threads;
    boolean kernelThread;
    ProcessInfo last; // what the last scan reported

    Tracked(File statFile, long startTime) {
      this.statFile = statFile;
      this.startTime = startTime;
    }

    void release() {
      stat = close(stat);
      schedstat = close(schedstat);
    }

    private java.nio.channels.FileChannel close(java.nio.channels.FileChannel kept) {
      if (kept != null) {
        try {
          kept.close();
        } catch (IOException ignored) {
          // a /proc file: nothing was written that could be lost
        }
        held--;
      }
      return null;
    }
  }
}
