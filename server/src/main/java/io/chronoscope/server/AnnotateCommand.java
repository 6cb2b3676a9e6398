package io.chronoscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chronoscope annotate --service S --version V}: records a deploy from a script or a CI step
 * that has no webhook, on the running server's timeline, with the API token.
 */
// No mixinStandardHelpOptions: its --version would take the deploy's --version.
@Command(name = "annotate", sortOptions = false,
    description = {"Record a deploy on a running Chronoscope's timeline (POST /api/v1/deploys).",
        "Exit code 0 when recorded (or already recorded), 1 when the server refused or was unreachable, "
            + "2 for a bad flag."})
final class AnnotateCommand implements Callable<Integer> {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Spec
  CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--service", required = true, description = "What was deployed, e.g. checkout.")
  String service;

  @Option(names = "--version", required = true, description = "The version now running, e.g. 1.4.3.")
  String version;

  @Option(names = "--commit", description = "The commit deployed (full or short SHA); lets Chronoscope join "
      + "this deploy with the GitOps sync and the Kubernetes rollout.")
  String commit;

  @Option(names = "--url", description = "Where to read more: the CI run, the release notes.")
  String url;

  @Option(names = "--environment", description = "e.g. production.")
  String environment;

  @Option(names = "--namespace", description = "Kubernetes namespace of the service.")
  String namespace;

  @Option(names = "--phase", defaultValue = "succeeded",
      description = "started, progressing, succeeded, failed, cancelled or stuck (default ${DEFAULT-VALUE}).")
  String phase;

  @Option(names = "--message", description = "One line on why.")
  String message;

  @Option(names = "--server", paramLabel = "URL",
      description = "The Chronoscope to record on (env CHRONOSCOPE_URL, default http://localhost:4040).")
  String server;

  @Option(names = "--token", description = "API token (env CHRONOSCOPE_TOKEN; the server keeps it in <home>/token).")
  String token;

  private final Map<String, String> env;

  AnnotateCommand() {
    this(System.getenv());
  }

  AnnotateCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    URI endpoint = endpoint();
    String apiToken = token != null ? token : env.get("CHRONOSCOPE_TOKEN");
    if (apiToken == null || apiToken.isBlank()) {
      throw usage("Missing API token: give --token TOKEN or set CHRONOSCOPE_TOKEN "
          + "(the server keeps it in <home>/token)");
    }
    byte[] body = Json.mapper().writeValueAsBytes(body());
    // One key for every attempt: a retry after a lost answer records nothing twice.
    String key = "cli-" + UUID.randomUUID();
    HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + apiToken.trim())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpResponse<String> response;
    try {
      response = send(http, request);
    } catch (IOException first) {
      try {
        response = send(http, request);
      } catch (IOException e) {
        System.err.println("annotate: cannot reach " + endpoint + ": " + e.getMessage());
        return 1;
      }
    }
    if (response.statusCode() / 100 != 2) {
      System.err.println("annotate: " + endpoint + " answered " + response.statusCode() + ": " + message(response));
      return 1;
    }
    JsonNode answer = Json.mapper().readTree(response.body());
    System.out.println((answer.path("recorded").asBoolean() ? "recorded " : "already recorded ")
        + answer.path("id").asText() + ": " + service + " " + version + " " + phase);
    return 0;
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private Map<String, Object> body() {
    if (service.isBlank()) {
      throw usage("Invalid value for option '--service': must not be blank");
    }
    if (version.isBlank()) {
      throw usage("Invalid value for option '--version': must not be blank");
    }
    if (!java.util.Set.of("started", "progressing", "succeeded", "failed", "cancelled", "stuck").contains(phase)) {
      throw usage("Invalid value for option '--phase': '" + phase
          + "' is not one of started, progressing, succeeded, failed, cancelled, stuck");
    }
    if (commit != null && !commit.matches("[0-9a-fA-F]{7,40}")) {
      throw usage("Invalid value for option '--commit': '" + commit + "' is not a 7 to 40 digit hex SHA");
    }
    if (url != null && !isHttpUrl(url)) {
      throw usage("Invalid value for option '--url': '" + url + "' is not an http(s) URL");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", service.trim());
    body.put("version", version.trim());
    body.put("phase", phase);
    put(body, "commit", commit);
    put(body, "url", url);
    put(body, "environment", environment);
    put(body, "namespace", namespace);
    put(body, "message", message);
    body.put("initiator", env.getOrDefault("USER", null));
    return body;
  }

  private URI endpoint() {
    String base = server != null ? server : env.getOrDefault("CHRONOSCOPE_URL", "http://localhost:4040");
    if (!isHttpUrl(base)) {
      throw usage("Invalid value for option '--server': '" + base
          + "' is not an http(s) URL with a host; write e.g. http://chronoscope:4040");
    }
    String trimmed = base.trim().replaceAll("/+$", "");
    return URI.create(trimmed + "/api/v1/deploys");
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI u = new URI(s.trim());
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String message(HttpResponse<String> response) {
    try {
      JsonNode n = Json.mapper().readTree(response.body());
      return n.hasNonNull("message") ? n.get("message").asText() : response.body();
    } catch (IOException e) {
      return response.body();
    }
  }

  private static void put(Map<String, Object> body, String key, String value) {
    if (value != null && !value.isBlank()) {
      body.put(key, value.trim());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
