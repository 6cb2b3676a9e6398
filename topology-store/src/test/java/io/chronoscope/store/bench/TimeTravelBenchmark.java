package io.chronoscope.store.bench;

import io.chronoscope.store.OutOfRetentionException;
import io.chronoscope.store.TimeRange;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.store.postgres.PostgresStoreSettings;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Issue 4's time-travel figures: the state at an instant and the scrub (changes from T to T+30 s)
 * for a 10,000-node world after 1 hour, 1 day and 7 simulated days of history with 5 % hourly
 * churn, on the memory store and on PostgreSQL; and PostgreSQL's bytes per node-hour against
 * keeping every full graph of every tick (Weave Cloud's design: a merged report every 3 s).
 *
 * <p>The world: processes with the string attributes the collector gives them, each calling two
 * others; every hour 5 % of the processes are replaced (their edges go and come with them) and
 * each edge's byte counters move about once an hour (the collector rounds them to two significant
 * digits, so a steady connection changes its edge rarely). Ticks are 3 s apart. History is loaded
 * through {@link TopologyStore#appendAll} in batches of one keyframe interval, which is how a
 * collector catching up writes; the reads are what is measured.
 */
public final class TimeTravelBenchmark {
  private static final long T0 = 1_700_000_000_000L;

  public static void main(String[] args) throws Exception {
    int nodes = Integer.getInteger("bench.nodes", 10_000);
    long tickMs = Long.getLong("bench.tickMs", 3_000);
    double hourlyChurn = Double.parseDouble(System.getProperty("bench.churn", "0.05"));
    double edgeChangesPerHour = Double.parseDouble(System.getProperty("bench.edgeChangesPerHour", "1"));
    int reads = Integer.getInteger("bench.reads", 200);
    Duration keyframe = Duration.parse("PT" + System.getProperty("bench.keyframe", "10m").toUpperCase(Locale.ROOT));
    String[] histories = System.getProperty("bench.histories", "1h,1d,7d").split(",");
    String stores = System.getProperty("bench.stores", "memory,postgres");
    String url = System.getenv("CHRONOSCOPE_TEST_PG_URL");

    System.out.printf(Locale.ROOT, "world: %,d processes x 2 calls, %.0f %% replaced per hour, edges change %.1f/h,"
        + " ticks %d ms, keyframe every %s, %d reads per figure%n", nodes, hourlyChurn * 100, edgeChangesPerHour,
        tickMs, keyframe, reads);
    System.out.println("| history | store | ticks | load s | stateAt ms p50 / p90 / p99 / max | scrub 30 s ms p50 / p99 / max"
        + " | changes per scrub (mean) | stored bytes | bytes per node-hour | full graph every tick, bytes per node-hour | ratio |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (String h : histories) {
      long historyMs = parseHistory(h);
      for (String kind : stores.split(",")) {
        if (kind.equals("postgres") && url == null) {
          System.out.println("(postgres skipped: set CHRONOSCOPE_TEST_PG_URL, _USER, _PASSWORD)");
          continue;
        }
        run(h, historyMs, kind, nodes, tickMs, hourlyChurn, edgeChangesPerHour, reads, keyframe, url);
      }
    }
  }

  private static void run(String label, long historyMs, String kind, int nodes, long tickMs, double hourlyChurn,
      double edgeChangesPerHour, int reads, Duration keyframe, String url) throws Exception {
    Duration retention = Duration.ofMillis(historyMs).plusDays(1);
    TopologyStore store;
    String schema = "tt_bench_" + label;
    // -Dbench.reuse=true measures again on the history a previous run loaded (same options).
    boolean reuse = Boolean.getBoolean("bench.reuse") && kind.equals("postgres") && hasHistory(url, schema);
    if (kind.equals("memory")) {
      store = new MemoryTopologyStore(retention, keyframe);
    } else {
      if (!reuse) {
        try (Connection c = DriverManager.getConnection(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
            System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD")); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }
      store = new PostgresTopologyStore(PostgresStoreSettings.of(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
          System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD"), retention, keyframe).withSchema(schema));
    }
    try (store) {
      World world = new World(42, nodes);
      long ticks = historyMs / tickMs + 1;
      double churnPerTick = hourlyChurn * nodes * tickMs / 3_600_000.0;
      double edgePerTick = edgeChangesPerHour * world.edges.size() * tickMs / 3_600_000.0;
      long batchTicks = Math.max(1, keyframe.toMillis() / tickMs);
      long started = System.nanoTime();
      List<ChangeSet> batch = new ArrayList<>();
      batch.add(world.first(T0));
      long fullGraphBytes = 0;
      long fullGraphSamples = 0;
      for (long i = 1; i < (reuse ? 0 : ticks); i++) {
        batch.add(world.tick(T0 + i * tickMs, churnPerTick, edgePerTick));
        if (batch.size() >= batchTicks) {
          store.appendAll(batch);
          batch.clear();
        }
        if (i % (ticks / 8 + 1) == 0) {
          fullGraphBytes += gzipJsonSize(world.graph());
          fullGraphSamples++;
        }
      }
      if (!reuse) {
        store.appendAll(batch);
      }
      double loadSeconds = (System.nanoTime() - started) / 1e9;
      if (fullGraphSamples == 0) {
        fullGraphBytes = gzipJsonSize(world.graph());
        fullGraphSamples = 1;
      }

      TimeRange range = store.retained();
      Random random = new Random(7);
      // The previous figure's store (a week of memory history is gigabytes) must not be collected
      // on this one's time: mixed collections of its garbage added 50-70 ms pauses to reads.
      System.gc();
      // Warm up the code paths (JIT), not the data: different instants from the measured ones.
      for (int i = 0; i < 50; i++) {
        store.stateAt(range.from() + (long) (random.nextDouble() * (range.to() - range.from() - 1)));
        long t = range.from() + (long) (random.nextDouble() * (range.to() - range.from() - 30_000));
        store.changes(t, t + 30_000, Integer.MAX_VALUE);
      }
      double[] stateMs = new double[reads];
      for (int i = 0; i < reads; i++) {
        long at = range.from() + (long) (random.nextDouble() * (range.to() - range.from() - 1));
        long t = System.nanoTime();
        Graph g = store.stateAt(at);
        stateMs[i] = (System.nanoTime() - t) / 1e6;
        if (g.nodes().size() < nodes / 2) {
          throw new IllegalStateException("state at " + at + " has only " + g.nodes().size() + " nodes");
        }
      }
      double[] scrubMs = new double[reads];
      long scrubChanges = 0;
      for (int i = 0; i < reads; i++) {
        long from = range.from() + (long) (random.nextDouble() * (range.to() - range.from() - 30_000));
        long t = System.nanoTime();
        List<ChangeSet> changes = store.changes(from, from + 30_000, Integer.MAX_VALUE);
        scrubMs[i] = (System.nanoTime() - t) / 1e6;
        scrubChanges += changes.stream().mapToInt(ChangeSet::size).sum();
      }
      long storedBytes = kind.equals("postgres") ? schemaBytes(url, schema) : -1;
      double nodeHours = nodes * (historyMs / 3_600_000.0);
      double fullPerTick = (double) fullGraphBytes / fullGraphSamples;
      double fullBytesPerNodeHour = fullPerTick * ticks / nodeHours;
      Arrays.sort(stateMs);
      Arrays.sort(scrubMs);
      System.out.printf(Locale.ROOT, "| %s | %s | %,d | %.0f | %.1f / %.1f / %.1f / %.1f | %.2f / %.2f / %.2f | %.0f | %s | %s | %.0f | %s |%n",
          label, kind, ticks, loadSeconds, pct(stateMs, 50), pct(stateMs, 90), pct(stateMs, 99), stateMs[reads - 1],
          pct(scrubMs, 50), pct(scrubMs, 99), scrubMs[reads - 1], (double) scrubChanges / reads,
          storedBytes < 0 ? "(heap)" : String.format(Locale.ROOT, "%,d", storedBytes),
          storedBytes < 0 ? "" : String.format(Locale.ROOT, "%.0f", storedBytes / nodeHours),
          fullBytesPerNodeHour,
          storedBytes < 0 ? "" : String.format(Locale.ROOT, "%.0f×", fullBytesPerNodeHour / (storedBytes / nodeHours)));
    }
  }

  private static boolean hasHistory(String url, String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
        System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD")); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
            + schema + "' AND table_name = 'shard_heads'")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }

  private static long parseHistory(String h) {
    char unit = h.charAt(h.length() - 1);
    long n = Long.parseLong(h.substring(0, h.length() - 1));
    return switch (unit) {
      case 'h' -> n * 3_600_000L;
      case 'd' -> n * 86_400_000L;
      case 'm' -> n * 60_000L;
      default -> throw new IllegalArgumentException("bench.histories: " + h + " is not like 1h, 1d or 7d");
    };
  }

  private static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  /** A full graph as the store encodes keyframes: gzip JSON, the same codec, so the ratio is fair. */
  private static long gzipJsonSize(Graph g) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes, 8192)) {
      io.chronoscope.model.Json.mapper().writeValue(out,
          Map.of("nodes", new ArrayList<>(g.nodes().values()), "edges", new ArrayList<>(g.edges().values())));
    }
    return bytes.size();
  }

  /** Everything the schema holds on disk: tables, partitions, indexes and TOAST. */
  private static long schemaBytes(String url, String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
        System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD")); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
      try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relkind IN ('r', 'm')")) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      // CHECKPOINT needs superuser or pg_checkpoint; sizes are right without it, just less settled.
      try (Connection c = DriverManager.getConnection(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
          System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD")); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
              + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relkind IN ('r', 'm')")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The simulated world, kept as mutable maps so a tick costs what changed, not a copy of the
   * graph (the stores' own costs are what is measured).
   */
  public static final class World {
    private final Random random;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    final Map<String, Edge> edges = new LinkedHashMap<>();
    private final List<String> edgeKeys = new ArrayList<>();
    private final Map<String, Integer> edgeIndex = new HashMap<>();
    private final Map<String, List<String>> edgesOf = new HashMap<>();
    private int nextPid = 1000;

    public World(long seed, int size) {
      random = new Random(seed);
      for (int i = 0; i < size; i++) {
        addNode(process());
      }
      for (String id : new ArrayList<>(ids)) {
        connect(id);
      }
    }

    ChangeSet first(long at) {
      return new ChangeSet(at, new ArrayList<>(nodes.values()), List.of(), List.of(),
          new ArrayList<>(edges.values()), List.of(), List.of());
    }

    public Graph graph() {
      return Graph.of(nodes.values(), edges.values());
    }

    ChangeSet tick(long at, double churn, double edgeChanges) {
      List<Node> added = new ArrayList<>();
      List<Node> removed = new ArrayList<>();
      List<Edge> addedEdges = new ArrayList<>();
      List<Edge> removedEdges = new ArrayList<>();
      List<ChangeSet.Change<Edge>> changedEdges = new ArrayList<>();
      int replace = count(churn);
      java.util.Set<String> fresh = new java.util.HashSet<>();
      for (int i = 0; i < replace; i++) {
        String victim = ids.get(random.nextInt(ids.size()));
        if (fresh.contains(victim)) {
          continue; // started this tick: it cannot also exit in it
        }
        for (String key : new ArrayList<>(edgesOf.getOrDefault(victim, List.of()))) {
          Edge gone = removeEdge(key);
          if (!addedEdges.removeIf(e -> e.key().equals(key))) {
            removedEdges.add(gone);
          }
        }
        removed.add(removeNode(victim));
        Node started = process();
        addNode(started);
        added.add(started);
        fresh.add(started.id());
        addedEdges.addAll(connect(started.id()));
      }
      // An edge removed with a node above may not come back in the same tick as "changed".
      java.util.Set<String> touched = new java.util.HashSet<>();
      removedEdges.forEach(e -> touched.add(e.key()));
      addedEdges.forEach(e -> touched.add(e.key()));
      int moves = count(edgeChanges);
      for (int i = 0; i < moves && !edgeKeys.isEmpty(); i++) {
        String key = edgeKeys.get(random.nextInt(edgeKeys.size()));
        if (!touched.add(key)) {
          continue;
        }
        Edge before = edges.get(key);
        Map<String, Object> attrs = new java.util.TreeMap<>(before.attrs());
        attrs.put("bytesSent", ((Number) attrs.get("bytesSent")).longValue() * 11 / 10 + 100);
        attrs.put("bytesReceived", ((Number) attrs.get("bytesReceived")).longValue() * 11 / 10 + 100);
        Edge after = new Edge(before.source(), before.target(), attrs);
        edges.put(key, after);
        changedEdges.add(new ChangeSet.Change<>(before, after));
      }
      return new ChangeSet(at, added, removed, List.of(), addedEdges, removedEdges, changedEdges);
    }

    /** A whole number with the given mean: the integer part plus one more with the fraction's odds. */
    private int count(double mean) {
      int n = (int) mean;
      return n + (random.nextDouble() < mean - n ? 1 : 0);
    }

    private Node process() {
      int pid = nextPid++;
      int service = random.nextInt(200);
      String host = "host-" + random.nextInt(50);
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("host", host);
      attrs.put("pid", (long) pid);
      attrs.put("comm", "svc-" + service);
      attrs.put("cmdline", "/usr/bin/svc-" + service + " --port 8080 --config /etc/svc/" + service + ".yaml");
      attrs.put("user", "app");
      attrs.put("container", "c" + Integer.toHexString(random.nextInt()) + Integer.toHexString(pid));
      attrs.put("image", "registry.example.com/shop/svc-" + service + ":1." + random.nextInt(20));
      attrs.put("namespace", "ns-" + service % 12);
      attrs.put("pod", "svc-" + service + "-" + Integer.toHexString(random.nextInt(1 << 20)));
      attrs.put("workload", "svc-" + service);
      return new Node(host + ";" + pid + ";" + (1_000_000 + pid), "process", "svc-" + service, attrs);
    }

    private void addNode(Node n) {
      nodes.put(n.id(), n);
      index.put(n.id(), ids.size());
      ids.add(n.id());
    }

    private Node removeNode(String id) {
      int i = index.remove(id);
      String last = ids.remove(ids.size() - 1);
      if (i < ids.size()) {
        ids.set(i, last);
        index.put(last, i);
      }
      edgesOf.remove(id);
      return nodes.remove(id);
    }

    private List<Edge> connect(String id) {
      List<Edge> made = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        String peer = ids.get(random.nextInt(ids.size()));
        if (peer.equals(id)) {
          continue;
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("connections", (long) (1 + random.nextInt(4)));
        attrs.put("bytesSent", (long) random.nextInt(1_000_000));
        attrs.put("bytesReceived", (long) random.nextInt(1_000_000));
        Edge e = new Edge(id, peer, attrs);
        if (edges.containsKey(e.key())) {
          continue;
        }
        edges.put(e.key(), e);
        edgeIndex.put(e.key(), edgeKeys.size());
        edgeKeys.add(e.key());
        edgesOf.computeIfAbsent(id, x -> new ArrayList<>()).add(e.key());
        edgesOf.computeIfAbsent(peer, x -> new ArrayList<>()).add(e.key());
        made.add(e);
      }
      return made;
    }

    private Edge removeEdge(String key) {
      Edge e = edges.remove(key);
      int i = edgeIndex.remove(key);
      String last = edgeKeys.remove(edgeKeys.size() - 1);
      if (i < edgeKeys.size()) {
        edgeKeys.set(i, last);
        edgeIndex.put(last, i);
      }
      List<String> a = edgesOf.get(e.source());
      if (a != null) {
        a.remove(key);
      }
      List<String> b = edgesOf.get(e.target());
      if (b != null) {
        b.remove(key);
      }
      return e;
    }
  }
}
