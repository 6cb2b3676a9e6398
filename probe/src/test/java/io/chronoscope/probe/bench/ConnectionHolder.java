package io.chronoscope.probe.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Child JVM of {@link ProbeScaleBenchmark} that holds many established TCP connections until
 * stdin closes. {@code listen ADDRESS} accepts forever and prints "port N";
 * {@code connect HOST PORT N} opens N connections; {@code loop N} connects N times to itself on
 * 127.0.0.1. Each prints "ready" once its connections are up.
 */
public final class ConnectionHolder {
  private ConnectionHolder() {}

  public static void main(String[] args) throws Exception {
    List<Socket> held = new ArrayList<>();
    switch (args[0]) {
      case "listen" -> {
        ServerSocket server = new ServerSocket(0, 4096, InetAddress.getByName(args[1]));
        System.out.println("port " + server.getLocalPort());
        Thread accepter = new Thread(() -> accept(server, held));
        accepter.setDaemon(true);
        accepter.start();
      }
      case "connect" -> {
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
          held.add(new Socket(args[1], Integer.parseInt(args[2])));
        }
      }
      case "loop" -> {
        ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
          held.add(new Socket(server.getInetAddress(), server.getLocalPort()));
          held.add(server.accept());
        }
      }
      default -> throw new IllegalArgumentException("mode must be listen, connect or loop, was "
          + args[0]);
    }
    System.out.println("ready");
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold until the benchmark goes away
    }
  }

  private static void accept(ServerSocket server, List<Socket> held) {
    try {
      while (true) {
        Socket s = server.accept();
        synchronized (held) {
          held.add(s);
        }
      }
    } catch (IOException closed) {
      // benchmark over
    }
  }
}
