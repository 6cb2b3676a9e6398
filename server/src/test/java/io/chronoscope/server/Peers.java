package io.chronoscope.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two tiny programs the end-to-end test runs as child processes: {@code listen} accepts one
 * connection on an ephemeral loopback port and prints the port; {@code dial PORT} connects to it.
 * Both hold their sockets open until their standard input closes, then exit.
 */
public final class Peers {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("listen")) {
      try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        System.out.println(server.getLocalPort());
        System.out.flush();
        Thread accept = new Thread(() -> {
          try {
            server.accept();
          } catch (IOException ignored) {
            // closing the server socket ends the wait
          }
        });
        accept.setDaemon(true);
        accept.start();
        System.in.read();
      }
    } else {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]))) {
        System.out.println(s.getLocalPort());
        System.out.flush();
        System.in.read();
      }
    }
  }

  /** Starts a child JVM running {@link Peers}; the caller destroys it. */
  static Process start(String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1",
        Peers.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    // Through the environment, so the command line stays short enough to read whole in /proc.
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return pb.start();
  }

  static String firstLine(Process p) throws IOException {
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    if (line == null) {
      throw new IllegalStateException("child " + p.pid() + " exited before printing a line");
    }
    return line.trim();
  }
}
