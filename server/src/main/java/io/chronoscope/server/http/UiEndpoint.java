package io.chronoscope.server.http;

/** Where the UI listens (loopback, set once Jetty is up) and the secret it expects from the proxy. */
public final class UiEndpoint {
  private final String secret;
  private volatile int port = -1;

  public UiEndpoint(String secret) {
    this.secret = secret;
  }

  public boolean running() {
    return port > 0;
  }

  public int port() {
    return port;
  }

  public void started(int port) {
    this.port = port;
  }

  public String secret() {
    return secret;
  }
}
