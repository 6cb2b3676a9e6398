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

  HostFacts(Path procRoot) {
    this.hostnameFile = procRoot.resolve("sys/kernel/hostname");
    this.loadavgFile = procRoot.resolve("loadavg");
    this.kernel = firstLine(procRoot.resolve("sys/kernel/osrelease"));
    this.os = prettyName();
    this.memoryTotalBytes = memTotal(procRoot.resolve("meminfo"));
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
      addressesReadAt = now;
    }
    return new HostInfo(firstLine(hostnameFile), kernel, os, addresses,
        (int) LibC.sysconfOr(LibC.SC_NPROCESSORS_ONLN, Runtime.getRuntime().availableProcessors()),
        memoryTotalBytes, load1());
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
