package io.chronoscope.probe.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.ContainerInfo.PortMapping;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Names, images, labels, states, IPs and published ports of the running Docker containers,
 * kept current by one background thread that listens to Docker's event stream. A scan only
 * reads the map, so a slow or absent daemon never slows a scan; per-container API calls happen
 * once per container event, never per container per scan.
 *
 * <p>When the socket is missing or refuses, the thread retries with backoff (1 s doubling to
 * 30 s) and {@link #explain()} says why; a restarted dockerd is picked up again, with a full
 * re-list because events during the outage are lost.
 */
public final class DockerMetadata implements AutoCloseable {
  public static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");
  /** Container actions after which its inspect answer may differ. */
  static final List<String> REFRESH_ACTIONS = List.of("create", "start", "restart", "die", "stop",
      "kill", "pause", "unpause", "rename", "update", "destroy");
  private static final Set<String> GONE_STATES = Set.of("exited", "dead", "created", "removing");
  private static final long MIN_BACKOFF_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 30_000;
  /** How long the constructor waits for the first listing, so a first scan already has names. */
  private static final long FIRST_SYNC_WAIT_MS = 2_000;
  private static final int MAX_PPID_HOPS = 256;
  private static final Logger LOG = Logger.getLogger(DockerMetadata.class.getName());

  private final DockerClient client;
  private final Map<String, ContainerInfo> containers = new ConcurrentHashMap<>();
  private final CountDownLatch firstAttempt = new CountDownLatch(1);
  private final Thread watcher;
  private volatile String status;
  private volatile DockerClient.EventStream stream;
  private volatile boolean closed;

  /**
   * Starts watching the daemon at {@code socket}; waits briefly for the first listing.
   * Never throws for an unreachable daemon: {@link #explain()} says why.
   */
  public DockerMetadata(Path socket) {
    this.client = new DockerClient(socket);
    this.status = "docker: connecting to " + socket;
    this.watcher = new Thread(this::watch, "docker-events");
    watcher.setDaemon(true);
    watcher.start();
    try {
      firstAttempt.await(FIRST_SYNC_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The socket from {@code DOCKER_HOST} when it names a unix socket (as the docker CLI reads
   * it), else /var/run/docker.sock.
   */
  public static Path socketFromEnvironment() {
    String host = System.getenv("DOCKER_HOST");
    if (host != null && host.startsWith("unix://")) {
      return Path.of(host.substring("unix://".length()));
    }
    return DEFAULT_SOCKET;
  }

  /** One line saying whether Docker metadata is live, and why not when it is not. */
  public String explain() {
    return status;
  }

  /** The running containers known now, by full 64-hex id. */
  public Map<String, ContainerInfo> containers() {
    return Map.copyOf(containers);
  }

  /**
   * {@code found} with Docker's metadata merged into entries of known ids (keeping their CPU and
   * memory), plus an entry for every other running Docker container.
   */
  public List<ContainerInfo> enrich(List<ContainerInfo> found) {
    Map<String, ContainerInfo> known = containers();
    Map<String, ContainerInfo> out = new LinkedHashMap<>();
    for (ContainerInfo c : found) {
      ContainerInfo docker = known.get(c.id());
      out.put(c.id(), docker == null ? c : merge(c, docker));
    }
    for (ContainerInfo docker : known.values()) {
      out.putIfAbsent(docker.id(), docker);
    }
    return new ArrayList<>(out.values());
  }

  /**
   * {@code report} with its containers enriched, and processes without a container id given the
   * id of the Docker container whose init process (State.Pid) is the process or an ancestor of
   * it in this report's ppid chain.
   */
  public Report enrich(Report report) {
    Map<String, ContainerInfo> known = containers();
    if (known.isEmpty() && report.containers().isEmpty()) {
      return report;
    }
    Map<Integer, String> byInitPid = new HashMap<>();
    for (ContainerInfo c : known.values()) {
      if (c.pid() != null && c.pid() > 0) {
        byInitPid.put(c.pid(), c.id());
      }
    }
    List<ProcessInfo> processes = report.processes();
    if (!byInitPid.isEmpty()) {
      Map<Integer, Integer> parents = new HashMap<>();
      for (ProcessInfo p : processes) {
        parents.put(p.pid(), p.ppid());
      }
      List<ProcessInfo> attributed = new ArrayList<>(processes.size());
      for (ProcessInfo p : processes) {
        String id = p.containerId() == null ? containerOf(p.pid(), parents, byInitPid) : null;
        attributed.add(id == null ? p : withContainer(p, id));
      }
      processes = attributed;
    }
    return new Report(report.hostId(), report.probeId(), report.seq(), report.timestamp(),
        report.intervalMs(), report.host(), processes, report.connections(),
        enrich(report.containers()), report.nat());
  }

  private static String containerOf(int pid, Map<Integer, Integer> parents,
      Map<Integer, String> byInitPid) {
    Integer at = pid;
    // Bounded walk: pid 0/1 end it, and a ppid cycle (pid reuse mid-scan) cannot loop forever.
    for (int hop = 0; at != null && at > 1 && hop < MAX_PPID_HOPS; hop++) {
      String id = byInitPid.get(at);
      if (id != null) {
        return id;
      }
      at = parents.get(at);
    }
    return null;
  }

  private static ProcessInfo withContainer(ProcessInfo p, String containerId) {
    return new ProcessInfo(p.pid(), p.ppid(), p.startTime(), p.startedAt(), p.comm(),
        p.cmdline(), p.user(), p.cpuPercent(), p.rssBytes(), p.threads(), p.openFds(),
        p.cgroup(), p.netNamespace(), containerId, p.exitedAt(), p.exitCode());
  }

  private static ContainerInfo merge(ContainerInfo found, ContainerInfo docker) {
    return new ContainerInfo(found.id(), "docker", docker.name(), docker.image(),
        docker.labels(), docker.state(), docker.pid() != null ? docker.pid() : found.pid(),
        docker.ips(), docker.ports(), docker.podUid(), docker.podName(), docker.podNamespace(),
        found.cpuPercent(), found.memoryBytes());
  }

  /** Inspect answer (GET /containers/{id}/json) as a ContainerInfo. */
  static ContainerInfo fromInspect(JsonNode inspect) {
    String id = inspect.path("Id").asText();
    String name = inspect.path("Name").asText(null);
    if (name != null && name.startsWith("/")) {
      name = name.substring(1);
    }
    JsonNode config = inspect.path("Config");
    Map<String, String> labels = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = config.path("Labels").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> label = it.next();
      labels.put(label.getKey(), label.getValue().asText());
    }
    JsonNode state = inspect.path("State");
    int pid = state.path("Pid").asInt(0);
    JsonNode network = inspect.path("NetworkSettings");
    List<String> ips = new ArrayList<>();
    for (JsonNode net : network.path("Networks")) {
      for (String field : List.of("IPAddress", "GlobalIPv6Address")) {
        String ip = net.path(field).asText("");
        if (!ip.isEmpty() && !ips.contains(ip)) {
          ips.add(ip);
        }
      }
    }
    List<PortMapping> ports = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = network.path("Ports").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> port = it.next();
      // "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}], or null when only exposed.
      String[] spec = port.getKey().split("/", 2);
      int containerPort;
      try {
        containerPort = Integer.parseInt(spec[0]);
      } catch (NumberFormatException e) {
        LOG.fine(() -> "docker: container " + id + " port key '" + port.getKey()
            + "' is not PORT/PROTOCOL; skipped");
        continue;
      }
      String protocol = spec.length > 1 ? spec[1] : "tcp";
      for (JsonNode binding : port.getValue()) {
        int hostPort = binding.path("HostPort").asInt(-1);
        if (hostPort > 0) {
          ports.add(new PortMapping(protocol, binding.path("HostIp").asText(""), hostPort,
              containerPort));
        }
      }
    }
    return new ContainerInfo(id, "docker", name, config.path("Image").asText(null), labels,
        state.path("Status").asText(null), pid > 0 ? pid : null, ips, ports,
        labels.get("io.kubernetes.pod.uid"), labels.get("io.kubernetes.pod.name"),
        labels.get("io.kubernetes.pod.namespace"), null, null);
  }

  /** The background loop: connect, list, follow events; on any failure back off and redo. */
  private void watch() {
    long backoff = MIN_BACKOFF_MS;
    while (!closed) {
      try {
        // Stream first, then list: an event between the two is then seen, not lost.
        DockerClient.EventStream events = client.containerEvents(REFRESH_ACTIONS);
        stream = events;
        try (events) {
          if (closed) {
            return;
          }
          relist();
          status = "docker: metadata from the Docker Engine API at " + client.socket() + ", "
              + containers.size() + " running containers at connect, refreshed from its event"
              + " stream";
          firstAttempt.countDown();
          backoff = MIN_BACKOFF_MS;
          while (!closed) {
            JsonNode event = events.next();
            refresh(event.path("Actor").path("ID").asText(event.path("id").asText("")),
                event.path("Action").asText(""));
          }
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        String why = e.getClass().getSimpleName() + ": " + e.getMessage();
        String previous = status;
        status = "docker: not reachable at " + client.socket() + ": " + why
            + " (retrying with backoff; container names, images and ports are missing)";
        if (!status.equals(previous)) {
          LOG.log(Level.INFO, status);
        }
        // Forget what was known: after an outage any of those containers may be gone.
        containers.clear();
      }
      firstAttempt.countDown();
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private void relist() throws IOException {
    Map<String, ContainerInfo> now = new HashMap<>();
    for (JsonNode listed : client.runningContainers()) {
      String id = listed.path("Id").asText();
      try {
        ContainerInfo c = fromInspect(client.inspect(id));
        if (!GONE_STATES.contains(c.state())) {
          now.put(c.id(), c);
        }
      } catch (DockerClient.StatusException e) {
        if (e.status() != 404) {
          throw e;
        }
        // removed between list and inspect: not running, nothing to report
      }
    }
    containers.keySet().retainAll(now.keySet());
    containers.putAll(now);
  }

  private void refresh(String id, String action) throws IOException {
    if (id.isEmpty()) {
      return;
    }
    if (action.equals("destroy")) {
      containers.remove(id);
      return;
    }
    try {
      ContainerInfo c = fromInspect(client.inspect(id));
      if (GONE_STATES.contains(c.state())) {
        containers.remove(c.id());
      } else {
        containers.put(c.id(), c);
      }
    } catch (DockerClient.StatusException e) {
      if (e.status() != 404) {
        throw e;
      }
      containers.remove(id);
    }
  }

  @Override
  public void close() {
    closed = true;
    DockerClient.EventStream s = stream;
    if (s != null) {
      s.close();
    }
    watcher.interrupt();
  }
}
