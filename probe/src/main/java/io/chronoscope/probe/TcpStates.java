package io.chronoscope.probe;

/** Linux TCP state numbers (include/net/tcp_states.h) to the names netstat and ss print. */
final class TcpStates {
  private static final String[] NAMES = {
      null, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
      "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
      "SYN_RECV", // TCP_NEW_SYN_RECV: a request socket, a half-open connection to a listener
  };

  private TcpStates() {}

  static String name(int state) {
    return state > 0 && state < NAMES.length ? NAMES[state] : "UNKNOWN_" + state;
  }
}
