package io.chronoscope.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Child JVM for tests: listens on an ephemeral port of the given address (default 127.0.0.1),
 * prints "port N", accepts one connection, prints "accepted", and holds it until stdin closes,
 * so it dies with the test JVM even if nobody kills it.
 */
public final class LoopbackServer {
  private LoopbackServer() {}

  public static void main(String[] args) throws IOException {
    InetAddress address = InetAddress.getByName(args.length > 0 ? args[0] : "127.0.0.1");
    try (ServerSocket server = new ServerSocket(0, 50, address)) {
      System.out.println("port " + server.getLocalPort());
      System.out.flush();
      try (Socket accepted = server.accept()) {
        System.out.println("accepted");
        System.out.flush();
        while (System.in.read() >= 0) {
          // hold the connection until the parent goes away
        }
      }
    }
  }
}
