package io.chronoscope.server.loadgen;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application the load generator deploys: a small shop in namespace {@value #NAMESPACE}
 * whose deployments call each other along fixed edges (frontend → api → db, cache, queue;
 * worker → queue, db), so the simulated topology has the shape of a real one.
 */
final class ServiceGraph {
  static final String NAMESPACE = "shop";
  static final String PART_OF = "shop";

  /**
   * One deployment and the Kubernetes service in front of it.
   *
   * @param port    the port its pods listen on, 0 for a pure client (the worker)
   * @param calls   the services its pods connect to
   * @param workers command lines of child processes next to the main one (nginx workers)
   */
  record Service(String name, String image, String comm, String cmdline, String user, int port,
      List<String> calls, List<String> workers, long rssBytes) {

    boolean serves() {
      return port > 0;
    }
  }

  static final Map<String, Service> SERVICES = services(
      new Service("frontend", "nginx:1.25.4", "nginx", "nginx: master process nginx -g daemon off;",
          "root", 80, List.of("api"),
          List.of("nginx: worker process", "nginx: worker process"), 12L << 20),
      new Service("api", "registry.example.com/shop/api:2.7.1", "java",
          "java -XX:MaxRAMPercentage=75 -jar /app/api.jar --server.port=8080", "app", 8080,
          List.of("db", "cache", "queue"), List.of(), 410L << 20),
      new Service("worker", "registry.example.com/shop/worker:2.7.1", "python3",
          "python3 -m shop.worker --queue orders", "app", 0, List.of("queue", "db"),
          List.of(), 95L << 20),
      new Service("db", "postgres:16.2", "postgres", "postgres -c max_connections=200",
          "postgres", 5432, List.of(), List.of("postgres: checkpointer", "postgres: walwriter"),
          220L << 20),
      new Service("cache", "redis:7.2.4", "redis-server", "redis-server *:6379", "redis", 6379,
          List.of(), List.of(), 30L << 20),
      new Service("queue", "rabbitmq:3.13.1", "beam.smp",
          "/opt/erlang/erts-14.2/bin/beam.smp -- -root /opt/erlang -- -noshell -noinput",
          "rabbitmq", 5672, List.of(), List.of(), 160L << 20));

  /**
   * Which deployment the n-th container slot runs, cycling. Its first two entries form a
   * caller/callee pair, so any world of two or more containers has a connection to make; the
   * api is the most replicated, as middle tiers usually are.
   */
  static final List<String> PLACEMENT = List.of(
      "frontend", "api", "db", "cache", "queue", "worker", "api", "frontend", "api", "worker");

  private ServiceGraph() {}

  static Service service(String name) {
    Service s = SERVICES.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no service named '" + name + "'");
    }
    return s;
  }

  /** The deployment of container slot {@code slot} (counted across all hosts). */
  static Service placed(int slot) {
    return service(PLACEMENT.get(slot % PLACEMENT.size()));
  }

  private static Map<String, Service> services(Service... services) {
    Map<String, Service> byName = new LinkedHashMap<>();
    for (Service s : services) {
      byName.put(s.name(), s);
    }
    for (Service s : services) {
      for (String callee : s.calls()) {
        if (!byName.containsKey(callee) || !byName.get(callee).serves()) {
          throw new IllegalStateException(s.name() + " calls '" + callee + "', which serves nothing");
        }
      }
    }
    return Collections.unmodifiableMap(byName);
  }
}
