package io.chronoscope.deploys.api;

import io.chronoscope.collector.api.ApiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** Request pieces every deploy endpoint reads the same way. */
final class Bodies {
  /** Deploy payloads are a few KiB; anything this big is a mistake or an attack. */
  static final int MAX_BODY = 1 << 20;

  private Bodies() {}

  static byte[] capped(byte[] body) {
    if (body != null && body.length > MAX_BODY) {
      throw new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body", "the body is " + body.length
          + " bytes; the limit is " + MAX_BODY + " (1 MiB)");
    }
    return body == null ? new byte[0] : body;
  }

  static Map<String, String> headers(HttpRequest<?> request) {
    Map<String, String> headers = new LinkedHashMap<>();
    request.getHeaders().forEach((name, values) -> {
      if (!values.isEmpty()) {
        headers.put(name, values.get(0));
      }
    });
    return headers;
  }

  static Map<String, String> query(HttpRequest<?> request) {
    Map<String, String> query = new LinkedHashMap<>();
    request.getParameters().forEach((name, values) -> {
      if (!values.isEmpty()) {
        query.put(name, values.get(0));
      }
    });
    return query;
  }
}
