package io.chronoscope.ui;

import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A two-process world: at t0 "client" and "server" apart, at t1 client connects to server. */
final class TestWorld {
  static final Node HOST = new Node("m1", Kinds.HOST, "node-1", Map.of("host", "m1"));
  static final Node CLIENT = new Node("m1;100;11", Kinds.PROCESS, "client",
      Map.of("host", "m1", "hostname", "node-1", "comm", "client", "pid", 100));
  static final Node SERVER = new Node("m1;200;22", Kinds.PROCESS, "server",
      Map.of("host", "m1", "hostname", "node-1", "comm", "server", "pid", 200));
  static final Graph AT_T0 = Graph.of(List.of(HOST, CLIENT, SERVER), List.of());
  static final Graph AT_T1 = Graph.of(List.of(HOST, CLIENT, SERVER),
      List.of(new Edge(CLIENT.id(), SERVER.id(), Map.of("connections", 1))));

  static final Node DB = new Node("m1;300;33", Kinds.PROCESS, "db",
      Map.of("host", "m1", "hostname", "node-1", "comm", "db", "pid", 300));
  /** Later still: the server opens a connection to a new "db" process. */
  static final Graph AT_T2 = Graph.of(List.of(HOST, CLIENT, SERVER, DB),
      List.of(new Edge(CLIENT.id(), SERVER.id(), Map.of("connections", 1)),
          new Edge(SERVER.id(), DB.id(), Map.of("connections", 2))));

  private TestWorld() {}

  static MemoryTopologyStore store(long t0, long t1) {
    MemoryTopologyStore store = new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10));
    store.append(ChangeSet.between(t0, Graph.EMPTY, AT_T0));
    store.append(ChangeSet.between(t1, AT_T0, AT_T1));
    return store;
  }
}
