package io.chronoscope.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace made by a test through ip(8), with optional veth link to the host and
 * iptables rules; everything is undone on close, in reverse order, also after a failure.
 */
final class NetNamespaceFixture implements AutoCloseable {
  final String name;
  final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
  private final Deque<List<String>> undo = new ArrayDeque<>();
  private final List<Process> children = new ArrayList<>();

  NetNamespaceFixture() {
    this.name = "cs-test-" + tag;
    run("ip", "netns", "add", name);
    undo.push(List.of("ip", "netns", "del", name));
    run("ip", "-n", name, "link", "set", "lo", "up");
  }

  /** Skips the calling test where namespaces cannot be made: not root, or no ip(8). */
  static void assumeAvailable() {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to create network namespaces, veth links and iptables rules");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip"))
        || Files.isExecutable(Path.of("/sbin/ip")), "needs ip(8) from iproute2");
  }

  /** The namespace's inode, what the probe reports as netNamespace. */
  long inode() {
    try {
      return (Long) Files.getAttribute(Path.of("/run/netns", name), "unix:ino");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A veth pair: host end {@code hostAddress}/24, namespace end {@code innerAddress}/24. */
  void veth(String hostAddress, String innerAddress) {
    String host = "csh" + tag;
    String inner = "csn" + tag;
    run("ip", "link", "add", host, "type", "veth", "peer", "name", inner, "netns", name);
    undo.push(List.of("ip", "link", "del", host));
    run("ip", "addr", "add", hostAddress + "/24", "dev", host);
    run("ip", "link", "set", host, "up");
    run("ip", "-n", name, "addr", "add", innerAddress + "/24", "dev", inner);
    run("ip", "-n", name, "link", "set", inner, "up");
  }

  /** Appends an iptables rule ({@code -t table -A chain spec...}) removed on close. */
  void iptables(String table, String chain, String... spec) {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")),
        "needs iptables for the DNAT rule");
    List<String> add = new ArrayList<>(List.of("iptables", "-t", table, "-A", chain));
    add.addAll(List.of(spec));
    run(add.toArray(String[]::new));
    List<String> delete = new ArrayList<>(add);
    delete.set(3, "-D");
    undo.push(delete);
  }

  /** Starts a test main in the namespace with this JVM's java; classpath via CLASSPATH. */
  Child start(Class<?> main, String... args) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name, java,
        "-Xmx32m", "-XX:TieredStopAtLevel=1", main.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    try {
      Process process = builder.start();
      children.add(process);
      return new Child(process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** A child JVM; ip netns exec execs java in place, so its pid is the JVM's. */
  static final class Child {
    private final Process process;
    private final BufferedReader out;

    Child(Process process) {
      this.process = process;
      this.out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    int pid() {
      return (int) process.pid();
    }

    String nextLine() {
      try {
        String line = out.readLine();
        if (line == null) {
          throw new IllegalStateException("child " + pid() + " exited before printing a line");
        }
        return line;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with "
            + p.exitValue() + ": " + output.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : children) {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    RuntimeException first = null;
    while (!undo.isEmpty()) {
      try {
        run(undo.pop().toArray(String[]::new));
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
