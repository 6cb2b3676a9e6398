package io.chronoscope.collector.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.chronoscope.collector.Collector;
import io.chronoscope.collector.InvalidReportException;
import io.chronoscope.model.Json;
import io.chronoscope.model.Report;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/reports}: one probe report as JSON, plain or {@code Content-Encoding: gzip}
 * (the HTTP server inflates it before this runs). Answers 202 once the collector holds the
 * report; the next tick merges it. Every refusal names what was wrong.
 */
@Controller("/api/v1/reports")
public class IngestController {
  /** Largest report accepted, after decompression: ten thousand connections take about 2 MiB. */
  public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final Collector collector;
  private final Clock clock;

  public IngestController(Collector collector, Clock clock) {
    this.collector = collector;
    this.clock = clock;
  }

  @Post(consumes = {MediaType.APPLICATION_JSON, MediaType.ALL})
  public HttpResponse<Map<String, Object>> ingest(@Nullable @Body byte[] body) {
    if (body == null || body.length == 0) {
      throw ApiException.badParameter("body", "the request has no body; send one report as JSON");
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body", "the report is "
          + body.length + " bytes after decompression; the limit is " + MAX_BODY_BYTES + " bytes");
    }
    Report report;
    try {
      report = Json.mapper().readValue(body, Report.class);
    } catch (JsonProcessingException e) {
      String field = fieldOf(e);
      throw ApiException.badParameter(field, "the report is not valid at '" + field + "'"
          + location(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badParameter("body", "cannot read the report: " + e.getMessage());
    }
    try {
      collector.ingest(report, clock.millis());
    } catch (InvalidReportException e) {
      throw ApiException.badParameter(e.field(), e.getMessage());
    }
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("status", HttpStatus.ACCEPTED.getCode());
    accepted.put("hostId", report.hostId());
    accepted.put("seq", report.seq());
    return HttpResponse.accepted().body(accepted);
  }

  /** The JSON path of the bad value, e.g. {@code processes[2].pid}; {@code body} when unknown. */
  static String fieldOf(JsonProcessingException e) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      return path.length() == 0 ? "body" : path.toString();
    }
    if (e.getProcessor() instanceof JsonParser parser) {
      // A syntax error: the parser still knows where it was.
      Deque<String> parts = new ArrayDeque<>();
      for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
        if (c.inArray()) {
          parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
        } else if (c.getCurrentName() != null) {
          parts.push("." + c.getCurrentName());
        }
      }
      String path = String.join("", parts).replaceFirst("^\\.", "");
      return path.isEmpty() ? "body" : path;
    }
    return "body";
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }
}
