package io.chronoscope.probe;

import java.io.IOException;
import java.net.Socket;

/**
 * Child JVM for tests: connects to {@code host port}, prints "connected", and holds the
 * connection until stdin closes.
 */
public final class LoopbackClient {
  private LoopbackClient() {}

  public static void main(String[] args) throws IOException {
    try (Socket socket = new Socket(args[0], Integer.parseInt(args[1]))) {
      System.out.println("connected " + socket.getLocalPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the connection until the parent goes away
      }
    }
  }
}
