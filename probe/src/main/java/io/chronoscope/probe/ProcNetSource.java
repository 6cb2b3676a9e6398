package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * TCP sockets from /proc/net/tcp and /proc/net/tcp6: the fallback where sock_diag is not allowed
 * (seccomp, old kernels). Lines are parsed from a reused byte buffer, without regex or a String
 * per line, as these files hold one line per socket.
 */
final class ProcNetSource implements SocketSource {
  static final String NAME = "procfs";
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private final Path tcp;
  private final Path tcp6;
  private final byte[] buffer = new byte[64 * 1024];
  private final byte[] address = new byte[16];
  private final int[] starts = new int[10];
  private final int[] ends = new int[10];

  ProcNetSource(Path procRoot) {
    this.tcp = procRoot.resolve("net/tcp");
    this.tcp6 = procRoot.resolve("net/tcp6");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized List<Connection> tcp(LongFunction<Integer> ownerOf) throws IOException {
    List<Connection> connections = new ArrayList<>();
    read(tcp, ownerOf, connections);
    try {
      read(tcp6, ownerOf, connections);
    } catch (NoSuchFileException ipv6Disabled) {
      // a kernel without IPv6 has no tcp6 file, and no IPv6 sockets to miss
    }
    return connections;
  }

  private void read(Path file, LongFunction<Integer> ownerOf, List<Connection> out)
      throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      int length = 0;
      boolean header = true;
      int n;
      while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
        int scanFrom = length;
        length += n;
        int lineStart = 0;
        for (int i = scanFrom; i < length; i++) {
          if (buffer[i] == '\n') {
            if (!header) {
              out.add(parseLine(file, lineStart, i, ownerOf));
            }
            header = false;
            lineStart = i + 1;
          }
        }
        System.arraycopy(buffer, lineStart, buffer, 0, length - lineStart);
        length -= lineStart;
        if (length == buffer.length) {
          throw new IOException(file + " has a line longer than " + buffer.length + " bytes");
        }
      }
      if (length > 0 && !header) {
        out.add(parseLine(file, 0, length, ownerOf));
      }
    }
  }

  /**
   * One socket line: {@code sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...}, where
   * addresses are hex 32-bit words in host byte order and ports are hex in network order.
   */
  private Connection parseLine(Path file, int from, int to, LongFunction<Integer> ownerOf) {
    int pos = from;
    for (int token = 0; token < 10; token++) {
      while (pos < to && buffer[pos] == ' ') {
        pos++;
      }
      starts[token] = pos;
      while (pos < to && buffer[pos] != ' ') {
        pos++;
      }
      ends[token] = pos;
      if (starts[token] == pos) {
        throw malformed(file, from, to, "has only " + token + " fields");
      }
    }
    int localColon = ProcStat.indexOf(buffer, starts[1], ends[1], (byte) ':');
    int remoteColon = ProcStat.indexOf(buffer, starts[2], ends[2], (byte) ':');
    if (localColon < 0 || remoteColon < 0) {
      throw malformed(file, from, to, "has an address without ':port'");
    }
    String local = address(file, starts[1], localColon, from, to);
    String remote =
        IpText.peerInFamilyOf(local, address(file, starts[2], remoteColon, from, to));
    int localPort = (int) hex(file, localColon + 1, ends[1], from, to);
    int remotePort = (int) hex(file, remoteColon + 1, ends[2], from, to);
    int state = (int) hex(file, starts[3], ends[3], from, to);
    long inode = decimal(file, starts[9], ends[9], from, to);
    return new Connection("tcp", local, localPort, remote, remotePort, TcpStates.name(state),
        inode == 0 ? null : ownerOf.apply(inode), inode, NAME);
  }

  private String address(Path file, int from, int to, int lineFrom, int lineTo) {
    int length = (to - from) / 2;
    if ((length != 4 && length != 16) || (to - from) % 2 != 0) {
      throw malformed(file, lineFrom, lineTo, "has an address of " + (to - from) + " hex digits");
    }
    for (int word = 0; word < length / 4; word++) {
      int start = from + word * 8;
      long value = hex(file, start, start + 8, lineFrom, lineTo);
      for (int b = 0; b < 4; b++) {
        int shift = LITTLE_ENDIAN ? 8 * b : 24 - 8 * b;
        address[word * 4 + b] = (byte) (value >>> shift);
      }
    }
    return IpText.of(address, 0, length);
  }

  private long hex(Path file, int from, int to, int lineFrom, int lineTo) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = Character.digit(buffer[i], 16);
      if (digit < 0) {
        throw malformed(file, lineFrom, lineTo,
            "has '" + text(from, to) + "' where hex was expected");
      }
      value = value << 4 | digit;
    }
    return value;
  }

  private long decimal(Path file, int from, int to, int lineFrom, int lineTo) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = buffer[i] - '0';
      if (digit < 0 || digit > 9) {
        throw malformed(file, lineFrom, lineTo, "has inode '" + text(from, to) + "'");
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private IllegalArgumentException malformed(Path file, int from, int to, String problem) {
    return new IllegalArgumentException(file + " line '" + text(from, to).strip() + "' " + problem);
  }

  private String text(int from, int to) {
    return new String(buffer, from, to - from, StandardCharsets.US_ASCII);
  }
}
