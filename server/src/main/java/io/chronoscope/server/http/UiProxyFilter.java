package io.chronoscope.server.http;

import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.client.ProxyHttpClient;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import org.reactivestreams.Publisher;

/**
 * One port for API and UI: Micronaut on Netty answers the API and forwards every other path to
 * the Vaadin UI on Jetty, bound to loopback. The shared secret header proves to Jetty that the
 * request passed authentication here.
 */
@Filter(Filter.MATCH_ALL_PATTERN)
@Order(Ordered.HIGHEST_PRECEDENCE + 200)
public class UiProxyFilter implements HttpServerFilter {
  public static final String PROXY_HEADER = "X-Chronoscope-Proxy";

  private final ProxyHttpClient client;
  private final UiEndpoint ui;

  public UiProxyFilter(ProxyHttpClient client, UiEndpoint ui) {
    this.client = client;
    this.ui = ui;
  }

  @Override
  public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
    String path = request.getPath();
    if (!ui.running() || isServedHere(path)) {
      return chain.proceed(request);
    }
    MutableHttpRequest<?> forwarded = request.mutate()
        .uri(b -> b.scheme("http").host("127.0.0.1").port(ui.port()));
    forwarded.getHeaders().set(PROXY_HEADER, ui.secret());
    return client.proxy(forwarded);
  }

  static boolean isServedHere(String path) {
    return path.startsWith("/api/") || path.equals("/health") || path.equals("/metrics")
        || path.equals("/login") || path.equals("/logout");
  }
}
