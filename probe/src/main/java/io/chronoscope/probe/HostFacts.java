package io.chronoscope.probe;

import io.chronoscope.model.HostInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The host's own facts for {@link HostInfo}. What cannot change while the probe runs (kernel,
 * OS, memory) is read once; hostname and load every scan; addresses every
 * {@link #ADDRESS_REFRESH_NANOS} because listing interfaces costs several syscalls per interface.
 */
final class HostFacts {
  static final long ADDRESS_REFRESH_NANOS = 10_000_000_000L;
  private static final List<Path> MACHINE_ID_FILES =
      List.of(Path.of("/etc/machine-id"), Path.of("/var/lib/dbus/machine-id"));
  private static final List<Path> OS_RELEASE_FILES =
      List.of(Path.of("/etc/os-release"), Path.of("/usr/lib/os-release"));

  private final Path hostnameFile;
  private final Path loadavgFile;
  private final String kernel;
  private final String os;
  private final long memoryTotalBytes;
  private List<String> addresses;
  private long addressesReadAt;
  // issue 3: interfaces, available memory, host CPU, load 5/15, boot time
  private final Path meminfoFile;
  private final Path statFile;
  private final Long bootTimeMs;
  private final ProcReader reader = new ProcReader(16 * 1024);
  private List<HostInfo.NetInterface> interfaces;
  private long cpuBusyTicks = -1;
  private long cpuTotalTicks;

  HostFacts(Path procRoot) {
    this.hostnameFile = procRoot.resolve("sys/kernel/hostname");
    this.loadavgFile = procRoot.resolve("loadavg");
    this.kernel = firstLine(procRoot.resolve("sys/kernel/osrelease"));
    this.os = prettyName();
    this.memoryTotalBytes = memTotal(procRoot.resolve("meminfo"));
    this.meminfoFile = procRoot.resolve("meminfo");
    this.statFile = procRoot.resolve("stat");
    this.bootTimeMs = bootTimeMs(statFile);
  }

  /**
   * The stable host identity: the systemd/dbus machine-id, else the hostname (a container
   * without a machine-id still gets a name people recognise).
   */
  static String hostId(Path procRoot) {
    for (Path file : MACHINE_ID_FILES) {
      try {
        String id = Files.readString(file).strip();
        if (!id.isEmpty() && !id.equals("uninitialized")) {
          return id;
        }
      } catch (IOException absent) {
        // try the next source
      }
    }
    return firstLine(procRoot.resolve("sys/kernel/hostname"));
  }

  HostInfo read() {
    long now = System.nanoTime();
    if (addresses == null || now - addressesReadAt > ADDRESS_REFRESH_NANOS) {
      addresses = interfaceAddresses();
      interfaces = interfaces();
      addressesReadAt = now;
    }
    String[] loads = firstLine(loadavgFile).split(" ");
    return new HostInfo(firstLine(hostnameFile), kernel, os, addresses,
        (int) LibC.sysconfOr(LibC.SC_NPROCESSORS_ONLN, Runtime.getRuntime().availableProcessors()),
        memoryTotalBytes, load1(), interfaces, memAvailable(), cpuPercent(),
        loads.length > 2 ? Double.valueOf(loads[1]) : null,
        loads.length > 2 ? Double.valueOf(loads[2]) : null, bootTimeMs);
  }

  /**
   * Every interface, loopback included, with all its addresses and whether it is up; sorted by
   * name. The MAC is lower-case colon hex, null for interfaces without one (loopback, tunnels).
   */
  private static List<HostInfo.NetInterface> interfaces() {
    List<HostInfo.NetInterface> found = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        List<String> nicAddresses = new ArrayList<>();
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          nicAddresses.add(IpText.of(address.getAddress()));
        }
        Collections.sort(nicAddresses);
        byte[] mac = nic.getHardwareAddress();
        String macText = null;
        if (mac != null && mac.length > 0) {
          StringBuilder text = new StringBuilder();
          for (byte b : mac) {
            text.append(text.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
          }
          macText = text.toString();
        }
        found.add(new HostInfo.NetInterface(nic.getName(), macText, nicAddresses, nic.isUp()));
      }
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list network interfaces", e);
    }
    found.sort(java.util.Comparator.comparing(HostInfo.NetInterface::name));
    return List.copyOf(found);
  }

  /** MemAvailable of /proc/meminfo in bytes, null on kernels before 3.14 that lack it. */
  private Long memAvailable() {
    Long kib = field(meminfoFile, "MemAvailable:");
    return kib == null ? null : kib * 1024;
  }

  /**
   * Host-wide CPU busy since the previous scan, in percent of all CPUs (0-100): the "cpu" line
   * of /proc/stat, idle and iowait counted as not busy. Null on the first scan.
   */
  private Double cpuPercent() {
    int length;
    try {
      length = reader.read(statFile.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + statFile, e);
    }
    String line = new String(reader.bytes(), 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    int end = line.indexOf('\n');
    String[] ticks = (end < 0 ? line : line.substring(0, end)).split(" +");
    long total = 0;
    long idle = 0;
    for (int i = 1; i < ticks.length && i <= 8; i++) { // user..steal; guest is inside user
      long value = Long.parseLong(ticks[i]);
      total += value;
      if (i == 4 || i == 5) {
        idle += value;
      }
    }
    long busy = total - idle;
    Double percent = null;
    if (cpuBusyTicks >= 0 && total > cpuTotalTicks) {
      percent = (busy - cpuBusyTicks) * 100.0 / (total - cpuTotalTicks);
    }
    cpuBusyTicks = busy;
    cpuTotalTicks = total;
    return percent;
  }

  /** The number after {@code name} in a "Name:   123 kB" file, or null without that line. */
  private Long field(Path file, String name) {
    int length;
    try {
      length = reader.read(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String text = new String(reader.bytes(), 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    int at = text.indexOf(name);
    if (at < 0) {
      return null;
    }
    int pos = at + name.length();
    while (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
    }
    int start = pos;
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    return pos == start ? null : Long.parseLong(text.substring(start, pos));
  }

  /** The boot time (btime of /proc/stat) as epoch ms, or null when absent. */
  private static Long bootTimeMs(Path stat) {
    try {
      for (String line : Files.readAllLines(stat)) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).strip()) * 1000;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  private double load1() {
    String loadavg = firstLine(loadavgFile); // "0.52 0.58 0.59 1/467 12345"
    int space = loadavg.indexOf(' ');
    String value = space < 0 ? loadavg : loadavg.substring(0, space);
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(loadavgFile + " starts with '" + value + "', not a load", e);
    }
  }

  /**
   * Every address of every interface except loopback and link-local ones, which name nothing
   * outside this host (or link); sorted so consecutive reports compare equal.
   */
  private static List<String> interfaceAddresses() {
    List<String> found = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
            found.add(IpText.of(address.getAddress()));
          }
        }
      }
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list network interfaces", e);
    }
    Collections.sort(found);
    return List.copyOf(found);
  }

  private static String prettyName() {
    for (Path file : OS_RELEASE_FILES) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("PRETTY_NAME=")) {
            return unquote(line.substring("PRETTY_NAME=".length()).strip());
          }
        }
      } catch (NoSuchFileException absent) {
        // try the next file
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return "Linux";
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
        && value.charAt(value.length() - 1) == value.charAt(0)) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  private static long memTotal(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) { // "MemTotal:       16318420 kB"
          String kib = line.substring("MemTotal:".length()).replace("kB", "").strip();
          return Long.parseLong(kib) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + meminfo, e);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(meminfo + " has a MemTotal that is not a number", e);
    }
    throw new IllegalStateException(meminfo + " has no MemTotal line");
  }

  private static String firstLine(Path file) {
    try {
      String text = Files.readString(file);
      int newline = text.indexOf('\n');
      return (newline < 0 ? text : text.substring(0, newline)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
