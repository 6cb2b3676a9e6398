package io.chronoscope.store.bench;

import io.chronoscope.store.ChurningWorld;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.store.postgres.PostgresStoreSettings;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Appends the same ticks of a churning world to the memory store and to PostgreSQL, then asks both
 * for the state at the same random instants. Not a test: it prints figures for docs/benchmarks.md.
 * PostgreSQL comes from CHRONOSCOPE_TEST_PG_URL, _USER and _PASSWORD; the schema store_bench is
 * dropped and recreated.
 *
 * <p>Options: -Dbench.nodes=5000 -Dbench.churn=0.01 -Dbench.ticks=1200 -Dbench.reads=200
 * -Dbench.keyframe=10m (seconds or minutes with s/m).
 */
public final class StoreBenchmark {
  private static final long T0 = 1_700_000_000_000L;
  private static final long TICK_MS = 1000;

  public static void main(String[] args) throws Exception {
    int nodes = Integer.getInteger("bench.nodes", 5000);
    double churn = Double.parseDouble(System.getProperty("bench.churn", "0.01"));
    int ticks = Integer.getInteger("bench.ticks", 1200);
    int reads = Integer.getInteger("bench.reads", 200);
    Duration keyframe = duration(System.getProperty("bench.keyframe", "10m"));
    String url = System.getenv("CHRONOSCOPE_TEST_PG_URL");
    if (url == null) {
      throw new IllegalStateException("set CHRONOSCOPE_TEST_PG_URL, _USER and _PASSWORD to a PostgreSQL to benchmark against");
    }
    String user = System.getenv("CHRONOSCOPE_TEST_PG_USER");
    String password = System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD");

    // The ticks are made once, before timing, and both stores get the very same change sets.
    ChurningWorld world = new ChurningWorld(42, nodes, churn, 2);
    List<ChangeSet> changes = new ArrayList<>(ticks);
    changes.add(ChangeSet.between(T0, Graph.EMPTY, world.graph()));
    long changed = 0;
    for (int i = 1; i < ticks; i++) {
      ChangeSet c = world.tick(T0 + i * TICK_MS);
      changes.add(c);
      changed += c.size();
    }
    Random random = new Random(7);
    long[] instants = new long[reads];
    for (int i = 0; i < reads; i++) {
      // Strictly before the head: the head itself is answered from memory by both stores.
      instants[i] = T0 + (long) (random.nextDouble() * (ticks - 1) * TICK_MS);
    }
    System.out.printf(Locale.ROOT, "world: %d nodes, %d edges; %d ticks 1 s apart, %.1f changes per tick;"
        + " keyframe every %s; %d reads%n", world.graph().nodes().size(), world.graph().edges().size(), ticks,
        (double) changed / (ticks - 1), keyframe, reads);

    Duration retention = Duration.ofDays(1);
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS store_bench CASCADE");
    }
    PostgresStoreSettings pg = PostgresStoreSettings.of(url, user, password, retention, keyframe).withSchema("store_bench");
    run("memory", new MemoryTopologyStore(retention, keyframe), changes, instants);
    PostgresTopologyStore postgres = new PostgresTopologyStore(pg);
    postgres.check();
    run("postgres", postgres, changes, instants);
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid)))"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = 'store_bench' AND c.relkind = 'r'")) {
      rs.next();
      System.out.println("postgres on disk (tables, indexes, TOAST): " + rs.getString(1));
    }
    // A restart: the time to open the store and rebuild its head from the last keyframe.
    long opening = System.nanoTime();
    try (PostgresTopologyStore reopened = new PostgresTopologyStore(pg)) {
      reopened.check();
      System.out.printf(Locale.ROOT, "postgres reopen (migrations checked, head rebuilt): %.0f ms%n",
          (System.nanoTime() - opening) / 1e6);
    }
  }

  private static void run(String name, TopologyStore store, List<ChangeSet> changes, long[] instants)
      throws Exception {
    try (store) {
      long[] appendNs = new long[changes.size()];
      long start = System.nanoTime();
      for (int i = 0; i < changes.size(); i++) {
        long t = System.nanoTime();
        store.append(changes.get(i));
        appendNs[i] = System.nanoTime() - t;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      // The first append writes the first keyframe (all nodes): reported apart from the steady ones.
      long[] steady = Arrays.copyOfRange(appendNs, 1, appendNs.length);
      long[] readNs = new long[instants.length];
      for (int i = 0; i < instants.length; i++) {
        long t = System.nanoTime();
        store.stateAt(instants[i]);
        readNs[i] = System.nanoTime() - t;
      }
      // The time slider dragged forward: one instant a second for a minute from the 10th tick.
      long[] scrubNs = new long[60];
      for (int i = 0; i < scrubNs.length; i++) {
        long t = System.nanoTime();
        store.stateAt(T0 + (10 + i) * TICK_MS + 500);
        scrubNs[i] = System.nanoTime() - t;
      }
      System.out.printf(Locale.ROOT, "%-8s append: %.0f ticks/s; first tick %.1f ms; steady tick p50 %.2f ms,"
          + " p99 %.2f ms, max %.1f ms | stateAt random: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms"
          + " | scrub forward: p50 %.1f ms, max %.1f ms | %s%n",
          name, changes.size() / seconds, appendNs[0] / 1e6, pct(steady, 50), pct(steady, 99), pct(steady, 100),
          pct(readNs, 50), pct(readNs, 90), pct(readNs, 99), pct(scrubNs, 50), pct(scrubNs, 100), store.stats());
    }
  }

  private static double pct(long[] ns, int p) {
    long[] sorted = ns.clone();
    Arrays.sort(sorted);
    int i = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static Duration duration(String v) {
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return v.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
  }
}
