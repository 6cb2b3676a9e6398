package io.chronoscope.deploys.hooks;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook as it arrived: the raw body (signatures are computed over these exact bytes, never a
 * re-encoding), headers by case-insensitive name, query parameters, and when it was received.
 */
public record HookRequest(String source, byte[] body, Map<String, String> headers, Map<String, String> query,
    long receivedAt) {
  public HookRequest {
    body = body == null ? new byte[0] : body;
    TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers == null ? Map.of() : headers);
    headers = h;
    query = query == null ? Map.of() : Map.copyOf(query);
    source = source.toLowerCase(Locale.ROOT);
  }

  public String header(String name) {
    String v = headers.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  public String query(String name) {
    String v = query.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
