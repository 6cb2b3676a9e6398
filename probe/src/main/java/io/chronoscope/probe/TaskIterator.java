package io.chronoscope.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Every process on the host from one pass of a BPF task iterator (processes.bpf.c): what
 * /proc/PID/stat would say of each, without a file per process. One read of the iterator costs
 * about what reading three stat files does, for any number of processes.
 */
final class TaskIterator implements AutoCloseable {
  static final String OBJECT = "/bpf/processes.bpf.o";
  private static final String PROGRAM = "dump_task";
  private static final int RECORD = 64;
  private static final int PROCESS = 1;
  private static final int THREAD = 2;
  private static final int PF_KTHREAD = 0x00200000;
  private static final int READ_BYTES = 256 * 1024;

  private final Libbpf bpf;
  private final Pointer object;
  private final Pointer link;
  private final Memory elf;
  private final int linkFd;
  private final Memory buffer = new Memory(READ_BYTES);
  private boolean closed;

  /** One process as the iterator saw it. */
  record Task(int pid, int ppid, long startBoottimeNs, long runNanos, long rssPages,
      int threads, boolean kernelThread, String comm) {}

  private TaskIterator(Libbpf bpf, Pointer object, Pointer link, Memory elf) {
    this.bpf = bpf;
    this.object = object;
    this.link = link;
    this.elf = elf;
    this.linkFd = bpf.bpf_link__fd(link);
  }

  static TaskIterator start() throws EbpfConnectionTracer.Unavailable {
    EbpfConnectionTracer.Loaded loaded = EbpfConnectionTracer.load(OBJECT);
    Libbpf bpf = loaded.bpf();
    Pointer program = bpf.bpf_object__find_program_by_name(loaded.object(), PROGRAM);
    if (program == null) {
      bpf.bpf_object__close(loaded.object());
      throw new EbpfConnectionTracer.Unavailable("program '" + PROGRAM + "' not found in "
          + OBJECT);
    }
    Pointer link = bpf.bpf_program__attach_iter(program, null);
    if (link == null) {
      int errno = Native.getLastError();
      bpf.bpf_object__close(loaded.object());
      throw new EbpfConnectionTracer.Unavailable("bpf_program__attach_iter of iter/task failed: "
          + EbpfConnectionTracer.message(bpf, errno)
          + EbpfConnectionTracer.LibbpfMessages.lastWarning());
    }
    return new TaskIterator(bpf, loaded.object(), link, loaded.elf());
  }

  /** Receives each process of one pass, then the run time of each of its other threads. */
  interface Visitor {
    void process(Task task);

    void thread(int pid, long runNanos);
  }

  /**
   * Runs the iterator once over every task. Processes come in pid order, a process's threads
   * right after it. Throws when the kernel refuses; the caller then falls back to /proc.
   */
  synchronized void scan(Visitor visitor) {
    if (closed) {
      throw new IllegalStateException("task iterator is closed");
    }
    int fd = bpf.bpf_iter_create(linkFd);
    if (fd < 0) {
      throw new IllegalStateException("bpf_iter_create failed: "
          + EbpfConnectionTracer.message(bpf, fd));
    }
    try {
      ByteBuffer records = buffer.getByteBuffer(0, READ_BYTES).order(ByteOrder.nativeOrder());
      byte[] comm = new byte[16];
      while (true) {
        long n;
        try {
          n = LibC.read(fd, buffer, READ_BYTES);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == LibC.EINTR) {
            continue;
          }
          throw new IllegalStateException("reading the task iterator failed: " + e.getMessage(), e);
        }
        if (n <= 0) {
          return;
        }
        // The kernel hands out whole records: bpf_seq_write never splits one across reads.
        for (int at = 0; at + RECORD <= n; at += RECORD) {
          int kind = records.getInt(at);
          int pid = records.getInt(at + 4);
          long run = records.getLong(at + 16);
          if (kind == THREAD) {
            visitor.thread(pid, run);
          } else if (kind == PROCESS) {
            records.get(at + 48, comm, 0, 16);
            int end = 0;
            while (end < 16 && comm[end] != 0) {
              end++;
            }
            visitor.process(new Task(pid, records.getInt(at + 8), records.getLong(at + 24), run,
                records.getLong(at + 32), records.getInt(at + 12),
                (records.getInt(at + 40) & PF_KTHREAD) != 0,
                new String(comm, 0, end, StandardCharsets.UTF_8)));
          }
        }
      }
    } finally {
      LibC.close(fd);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      bpf.bpf_link__destroy(link);
      bpf.bpf_object__close(object);
      elf.close();
    }
  }
}
