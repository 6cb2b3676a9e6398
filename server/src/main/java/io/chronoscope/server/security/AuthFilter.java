package io.chronoscope.server.security;

import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.core.async.publisher.Publishers;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;

/**
 * Every request needs the token ({@code Authorization: Bearer}) or a session cookie, except the
 * health check, Prometheus metrics and the login page. Visiting any page with {@code ?token=}
 * trades the token for a session cookie and redirects to the same page without it, so the token
 * does not linger in the address bar or in history. A probe's {@link IngestToken} opens only
 * {@code POST /api/v1/reports}; anywhere else it gets 403.
 */
@Filter(Filter.MATCH_ALL_PATTERN)
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
public class AuthFilter implements HttpServerFilter {
  public static final String SESSION_COOKIE = "chronoscope_session";
  static final Duration SESSION_LIFETIME = Duration.ofDays(7);
  private static final Set<String> OPEN_PATHS = Set.of("/health", "/metrics", "/login", "/logout");

  /** Exactly one segment after /hooks/, so no dot-segments can reach another route. */
  static final Pattern HOOK_PATH = Pattern.compile("/api/v1/hooks/[A-Za-z0-9_-]{1,40}");

  /** The one route a probe's ingest token opens. */
  static final String INGEST_PATH = "/api/v1/reports";

  private final AccessToken token;
  private final IngestToken ingestToken;
  private final Clock clock;

  public AuthFilter(AccessToken token, IngestToken ingestToken, Clock clock) {
    this.token = token;
    this.ingestToken = ingestToken;
    this.clock = clock;
  }

  @Override
  public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
    String path = request.getPath();
    if (OPEN_PATHS.contains(path)) {
      return chain.proceed(request);
    }
    // Webhook senders (GitHub, GitLab, Flux, ...) cannot send our token: each receiver checks its
    // source's own signature or token against CHRONOSCOPE_HOOK_SECRET_<SOURCE> and refuses without one.
    if (request.getMethod() == HttpMethod.POST && HOOK_PATH.matcher(path).matches()) {
      return chain.proceed(request);
    }
    String offered = request.getParameters().get("token");
    if (offered != null && request.getMethod() == HttpMethod.GET && !path.startsWith("/api/")) {
      if (!token.matches(offered)) {
        return Publishers.just(LoginPage.response(HttpStatus.UNAUTHORIZED,
            "That token is not valid. Use the URL printed when Chronoscope started, or paste the token."));
      }
      return Publishers.just(HttpResponse.status(HttpStatus.FOUND)
          .header(HttpHeaders.LOCATION, withoutToken(request))
          .cookie(sessionCookie()));
    }
    if (authenticated(request)) {
      return chain.proceed(request);
    }
    String bearer = bearer(request);
    if (bearer != null && ingestToken.matches(bearer)) {
      if (request.getMethod() == HttpMethod.POST && INGEST_PATH.equals(path)) {
        return chain.proceed(request);
      }
      return Publishers.just(HttpResponse.status(HttpStatus.FORBIDDEN)
          .contentType(MediaType.APPLICATION_JSON_TYPE)
          .body(Map.of("status", 403, "error", "Forbidden",
              "message", "this token may only send reports (POST " + INGEST_PATH + "); "
                  + "use the API token for anything else")));
    }
    if (path.startsWith("/api/") || !acceptsHtml(request)) {
      return Publishers.just(HttpResponse.status(HttpStatus.UNAUTHORIZED)
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"chronoscope\"")
          .contentType(MediaType.APPLICATION_JSON_TYPE)
          .body(Map.of("status", 401, "error", "Unauthorized",
              "message", "missing or invalid credentials: send 'Authorization: Bearer <token>' "
                  + "or log in at /login with the token printed at start-up")));
    }
    return Publishers.just(HttpResponse.status(HttpStatus.FOUND)
        .header(HttpHeaders.LOCATION, "/login"));
  }

  Cookie sessionCookie() {
    long expires = clock.millis() + SESSION_LIFETIME.toMillis();
    return Cookie.of(SESSION_COOKIE, token.newSession(expires))
        .path("/").httpOnly(true).sameSite(SameSite.Lax).maxAge(SESSION_LIFETIME);
  }

  private static String bearer(HttpRequest<?> request) {
    String header = request.getHeaders().getAuthorization().orElse(null);
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim() : null;
  }

  private boolean authenticated(HttpRequest<?> request) {
    if (token.matches(bearer(request))) {
      return true;
    }
    return request.getCookies().findCookie(SESSION_COOKIE)
        .map(c -> token.validSession(c.getValue(), clock.millis()))
        .orElse(false);
  }

  private static boolean acceptsHtml(HttpRequest<?> request) {
    return request.getMethod() == HttpMethod.GET
        && request.getHeaders().accept().stream().anyMatch(m -> m.getName().equals(MediaType.TEXT_HTML));
  }

  private static String withoutToken(HttpRequest<?> request) {
    URI uri = request.getUri();
    String query = uri.getRawQuery();
    StringBuilder kept = new StringBuilder();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (!pair.equals("token") && !pair.startsWith("token=")) {
          kept.append(kept.length() == 0 ? "?" : "&").append(pair);
        }
      }
    }
    return uri.getRawPath() + kept;
  }
}
