package io.chronoscope.server;

import java.net.ServerSocket;
import java.nio.file.Path;

/** What the integration tests need to start the packaged Chronoscope as a user would. */
final class PackagedJar {
  private PackagedJar() {}

  /** The JVM running the tests: the jar is started with the same Java. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** server/target/chronoscope.jar, or what failsafe passes as {@code chronoscope.jar}. */
  static String jar() {
    return System.getProperty("chronoscope.jar", "target/chronoscope.jar");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
