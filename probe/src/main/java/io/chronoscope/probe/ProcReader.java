package io.chronoscope.probe;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;

/**
 * Reads small /proc files into one reused buffer, so a steady tick allocates almost nothing per
 * file. Not thread-safe: one per scanning thread.
 */
final class ProcReader {
  private final byte[] buffer;

  ProcReader(int capacity) {
    buffer = new byte[capacity];
  }

  /**
   * Reads {@code file} from the start; returns the byte count, at most the capacity (the rest is
   * cut off). Throws when the file is gone, which for /proc/PID means the process exited.
   */
  int read(File file) throws IOException {
    try (FileInputStream in = new FileInputStream(file)) {
      int length = 0;
      int n;
      // /proc hands out seq_file text a page at a time, so one read() may not be all of it.
      while (length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0) {
        length += n;
      }
      return length;
    }
  }

  byte[] bytes() {
    return buffer;
  }
}
