package io.chronoscope.collector.api;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns {@link ApiException} into {@code {"status","error","parameter","message",...}}. */
@Produces
@Singleton
@Requires(classes = {ApiException.class, ExceptionHandler.class})
public class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {

  @Override
  public HttpResponse<?> handle(HttpRequest request, ApiException e) {
    return HttpResponse.status(e.status()).body(body(e));
  }

  static Map<String, Object> body(ApiException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", e.status().getCode());
    body.put("error", e.status().getReason());
    if (e.parameter() != null) {
      body.put("parameter", e.parameter());
    }
    body.put("message", e.getMessage());
    body.putAll(e.details());
    return body;
  }
}
