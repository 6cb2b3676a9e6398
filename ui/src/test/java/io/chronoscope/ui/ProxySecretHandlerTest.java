package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProxySecretHandlerTest {
  private static final String SECRET = "s3cret-42";
  private static Server server;
  private static URI uri;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new ProxySecretHandler(SECRET, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        Content.Sink.write(response, true, "inside", callback);
        return true;
      }
    }));
    server.start();
    uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/VAADIN/anything");
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  @Test
  void refusesRequestWithoutTheHeader() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo(ProxySecretHandler.REFUSAL);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("text/plain"));
  }

  @Test
  void refusesAWrongOrPrefixSecret() throws Exception {
    for (String wrong : new String[] {"s3cret", "s3cret-42x", "S3CRET-42", ""}) {
      assertThat(status(HttpRequest.newBuilder(uri).header(UiServer.PROXY_HEADER, wrong))).isEqualTo(403);
    }
  }

  @Test
  void refusesTheHeaderTwice() throws Exception {
    assertThat(status(HttpRequest.newBuilder(uri)
        .header(UiServer.PROXY_HEADER, SECRET).header(UiServer.PROXY_HEADER, SECRET))).isEqualTo(403);
  }

  @Test
  void passesTheExactSecret() throws Exception {
    assertThat(status(HttpRequest.newBuilder(uri).header(UiServer.PROXY_HEADER, SECRET))).isEqualTo(200);
  }

  private int status(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
