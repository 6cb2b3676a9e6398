package io.chronoscope.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Lets a request through only when it carries the reverse proxy's shared secret: the proxy
 * authenticates users, so anything that reaches Jetty around it is refused before Vaadin sees it.
 */
final class ProxySecretHandler extends Handler.Wrapper {
  static final String REFUSAL = "403 forbidden: the Chronoscope UI is only served through its proxy\n";

  private final byte[] secret;

  ProxySecretHandler(String secret, Handler next) {
    super(next);
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (carriesSecret(request)) {
      return super.handle(request, response, callback);
    }
    response.setStatus(HttpStatus.FORBIDDEN_403);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, REFUSAL, callback);
    return true;
  }

  private boolean carriesSecret(Request request) {
    // Exactly one header: a second copy could be a client's own value appended to the proxy's.
    List<String> values = request.getHeaders().getValuesList(UiServer.PROXY_HEADER);
    if (values.size() != 1) {
      return false;
    }
    // Constant time, so the response time does not reveal how much of a guess was right.
    return MessageDigest.isEqual(values.get(0).getBytes(StandardCharsets.UTF_8), secret);
  }
}
