package io.chronoscope.collector.api;

import io.micronaut.http.HttpStatus;
import java.util.Map;

/** An API error answered as JSON: status, the parameter at fault (if any), and a message. */
public class ApiException extends RuntimeException {
  private final HttpStatus status;
  private final String parameter;
  private final Map<String, Object> details;

  public ApiException(HttpStatus status, String parameter, String message) {
    this(status, parameter, message, Map.of());
  }

  public ApiException(HttpStatus status, String parameter, String message, Map<String, Object> details) {
    super(message);
    this.status = status;
    this.parameter = parameter;
    this.details = details;
  }

  public static ApiException badParameter(String parameter, String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, parameter, message);
  }

  public HttpStatus status() {
    return status;
  }

  public String parameter() {
    return parameter;
  }

  public Map<String, Object> details() {
    return details;
  }
}
