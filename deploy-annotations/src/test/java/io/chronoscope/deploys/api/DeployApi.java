package io.chronoscope.deploys.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.hooks.HookSecrets;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.store.DeployEventStore;
import io.chronoscope.deploys.store.DeployQuery;
import io.chronoscope.deploys.store.MemoryDeployEventStore;
import java.util.List;
import io.chronoscope.model.Json;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A Micronaut server with the deploy endpoints over a memory store, and a client for it. */
final class DeployApi implements AutoCloseable {
  final FreshStore store = new FreshStore();
  final DeployRecorder recorder = new DeployRecorder(store);
  /** Secrets by source; tests remove one to see the refusal. */
  final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final ApplicationContext ctx;
  private final EmbeddedServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  DeployApi(Clock clock, Object... extraBeans) {
    HookSecrets hookSecrets = source -> Optional.ofNullable(secrets.get(source));
    Object[] beans = new Object[3 + extraBeans.length];
    beans[0] = recorder;
    beans[1] = hookSecrets;
    beans[2] = clock;
    System.arraycopy(extraBeans, 0, beans, 3, extraBeans.length);
    ctx = ApplicationContext.builder().properties(Map.of("micronaut.server.port", -1)).singletons(beans).start();
    server = ctx.getBean(EmbeddedServer.class).start();
  }

  record Answer(int status, JsonNode json) {}

  /** A memory store emptied between tests, behind the one server all tests share. */
  static final class FreshStore implements DeployEventStore {
    private volatile MemoryDeployEventStore store = new MemoryDeployEventStore();

    void reset() {
      store = new MemoryDeployEventStore();
    }

    @Override
    public boolean record(DeployEvent event) {
      return store.record(event);
    }

    @Override
    public Optional<DeployEvent> byId(String id) {
      return store.byId(id);
    }

    @Override
    public List<DeployEvent> find(DeployQuery query) {
      return store.find(query);
    }

    @Override
    public boolean updateDerived(DeployEvent event) {
      return store.updateDerived(event);
    }
  }

  Answer post(String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b.build());
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.getPort() + path)).GET().build());
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().isEmpty() ? null : Json.mapper().readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] fixture(String name) {
    try (InputStream in = DeployApi.class.getResourceAsStream("/hooks/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture /hooks/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    ctx.close();
  }
}
