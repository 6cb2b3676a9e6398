package io.chronoscope.probe.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The baseline: a straightforward full /proc walk as a first probe would write it, with no
 * caching. Per tick and per process it reads stat, status, cmdline and every fd symlink, then
 * parses /proc/net/tcp and tcp6 line by line with regex splits, and joins sockets to pids.
 */
final class NaiveProcWalk {
  private static final Path PROC = Path.of("/proc");
  private static final Pattern PID = Pattern.compile("\\d+");
  private static final Pattern SPACES = Pattern.compile("\\s+");

  record NaiveProcess(int pid, int ppid, String comm, String cmdline, int uid, long cpuTicks,
      long startTime, long rssPages) {}

  record NaiveSocket(String local, int localPort, String remote, int remotePort, int state,
      long inode, Integer pid) {}

  private List<NaiveSocket> lastSockets = List.of();

  /** Returns the number of processes seen. */
  int walk() {
    List<NaiveProcess> processes = new ArrayList<>();
    Map<Long, Integer> owners = new HashMap<>();
    try (Stream<Path> dirs = Files.list(PROC)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (PID.matcher(dir.getFileName().toString()).matches()) {
          try {
            processes.add(process(dir, owners));
          } catch (IOException | UncheckedIOException vanished) {
            // exited mid-walk
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<NaiveSocket> sockets = new ArrayList<>();
    sockets(PROC.resolve("net/tcp"), owners, sockets);
    sockets(PROC.resolve("net/tcp6"), owners, sockets);
    lastSockets = sockets;
    return processes.size();
  }

  int sockets() {
    return lastSockets.size();
  }

  private static NaiveProcess process(Path dir, Map<Long, Integer> owners) throws IOException {
    int pid = Integer.parseInt(dir.getFileName().toString());
    String stat = Files.readString(dir.resolve("stat"));
    int close = stat.lastIndexOf(')');
    String comm = stat.substring(stat.indexOf('(') + 1, close);
    String[] f = SPACES.split(stat.substring(close + 2).trim());
    int uid = -1;
    for (String line : Files.readAllLines(dir.resolve("status"))) {
      if (line.startsWith("Uid:")) {
        uid = Integer.parseInt(SPACES.split(line)[2]);
      }
    }
    String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")),
        StandardCharsets.UTF_8).replace('\0', ' ').trim();
    try (Stream<Path> fds = Files.list(dir.resolve("fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            owners.putIfAbsent(Long.parseLong(target.substring(8, target.length() - 1)), pid);
          }
        } catch (IOException closed) {
          // fd closed mid-walk
        }
      }
    }
    return new NaiveProcess(pid, Integer.parseInt(f[1]), comm, cmdline, uid,
        Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19]),
        Long.parseLong(f[21]));
  }

  private static void sockets(Path file, Map<Long, Integer> owners, List<NaiveSocket> out) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return;
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] f = SPACES.split(line.trim());
      String[] local = f[1].split(":");
      String[] remote = f[2].split(":");
      long inode = Long.parseLong(f[9]);
      out.add(new NaiveSocket(address(local[0]), Integer.parseInt(local[1], 16),
          address(remote[0]), Integer.parseInt(remote[1], 16), Integer.parseInt(f[3], 16), inode,
          owners.get(inode)));
    }
  }

  private static String address(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      byte[] be = new BigInteger(hex.substring(word * 8, word * 8 + 8), 16).toByteArray();
      for (int b = 0; b < 4; b++) { // little-endian words: reverse each
        int index = be.length - 1 - b;
        bytes[word * 4 + b] = index >= 0 ? be[index] : 0;
      }
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
