package io.chronoscope.probe;

import java.nio.charset.StandardCharsets;

/**
 * The fields of one /proc/PID/stat line the probe uses.
 *
 * @param flags     kernel PF_* flags (field 9)
 * @param utime     user CPU in clock ticks (field 14)
 * @param stime     system CPU in clock ticks (field 15)
 * @param startTime start time in clock ticks since boot (field 22)
 * @param rssPages  resident set in pages (field 24)
 * @param threads   number of threads (field 20)
 */
record ProcStat(int pid, String comm, int ppid, long flags, long utime, long stime,
    long startTime, long rssPages, int threads) {

  private static final int LAST_FIELD = 24;
  private static final long PF_KTHREAD = 0x00200000;

  /**
   * Parses {@code length} bytes of a stat line. comm sits in parentheses and may itself hold
   * spaces and ')', so it ends at the last ')' of the line. {@code knownComm} is returned as the
   * comm when the bytes match it, so a steady tick allocates no string.
   */
  static ProcStat parse(byte[] line, int length, String knownComm) {
    int open = indexOf(line, 0, length, (byte) '(');
    int close = lastIndexOf(line, length, (byte) ')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException(
          "/proc/PID/stat has no '(comm)': '" + preview(line, length) + "'");
    }
    int pidEnd = open;
    while (pidEnd > 0 && line[pidEnd - 1] == ' ') {
      pidEnd--;
    }
    int pid = (int) number(line, 0, pidEnd, 1, length);
    String comm = sameText(line, open + 1, close, knownComm)
        ? knownComm
        : new String(line, open + 1, close - open - 1, StandardCharsets.UTF_8);
    int ppid = 0;
    long flags = 0;
    long utime = 0;
    long stime = 0;
    long startTime = 0;
    long rssPages = 0;
    int threads = 0;
    int pos = close + 1;
    for (int field = 3; field <= LAST_FIELD; field++) {
      while (pos < length && line[pos] == ' ') {
        pos++;
      }
      int start = pos;
      while (pos < length && line[pos] != ' ' && line[pos] != '\n') {
        pos++;
      }
      if (start == pos) {
        throw new IllegalArgumentException("/proc/" + pid + "/stat ends before field " + field
            + ": '" + preview(line, length) + "'");
      }
      switch (field) {
        case 4 -> ppid = (int) number(line, start, pos, field, length);
        case 9 -> flags = number(line, start, pos, field, length);
        case 14 -> utime = number(line, start, pos, field, length);
        case 15 -> stime = number(line, start, pos, field, length);
        case 22 -> startTime = number(line, start, pos, field, length);
        case 24 -> rssPages = number(line, start, pos, field, length);
        case 20 -> threads = (int) number(line, start, pos, field, length);
        default -> { }
      }
    }
    return new ProcStat(pid, comm, ppid, flags, utime, stime, startTime, rssPages, threads);
  }

  /** Kernel threads hold no files, so nobody needs to look for their sockets. */
  boolean kernelThread() {
    return (flags & PF_KTHREAD) != 0;
  }

  private static long number(byte[] line, int from, int to, int field, int length) {
    int i = from;
    while (i < to && line[i] == ' ') {
      i++;
    }
    boolean negative = i < to && line[i] == '-';
    if (negative) {
      i++;
    }
    if (i >= to) {
      throw notANumber(line, from, to, field, length);
    }
    long value = 0;
    for (; i < to; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) {
        throw notANumber(line, from, to, field, length);
      }
      value = value * 10 + digit;
    }
    return negative ? -value : value;
  }

  private static IllegalArgumentException notANumber(byte[] line, int from, int to, int field,
      int length) {
    return new IllegalArgumentException("/proc/PID/stat field " + field + " is not a number: '"
        + new String(line, from, Math.max(0, to - from), StandardCharsets.UTF_8) + "' in '"
        + preview(line, length) + "'");
  }

  private static boolean sameText(byte[] line, int from, int to, String text) {
    if (text == null || text.length() != to - from) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (line[i] != text.charAt(i - from)) {
        return false; // non-ASCII comm never matches and is decoded: correct, only slower
      }
    }
    return true;
  }

  static int indexOf(byte[] bytes, int from, int to, byte wanted) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(byte[] bytes, int length, byte wanted) {
    for (int i = length - 1; i >= 0; i--) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static String preview(byte[] line, int length) {
    return new String(line, 0, Math.min(length, 200), StandardCharsets.UTF_8).strip();
  }
}
