package io.chronoscope.collector.api;

import io.chronoscope.collector.Collector;
import io.chronoscope.collector.InvalidReportException;
import io.chronoscope.collector.ReportDecoder;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/reports}: one probe report as JSON or Smile (what probes send, see
 * {@link ReportWire}), plain, {@code Content-Encoding: zstd} (inflated here: the HTTP server does
 * not know zstd) or gzip, deflate, br, snappy (inflated by the HTTP server before this runs).
 * Answers 202 once the collector holds the report; the next tick merges it. Every refusal names
 * what was wrong.
 */
@Controller("/api/v1/reports")
public class IngestController {
  public static final int MAX_BODY_BYTES = ReportDecoder.MAX_REPORT_BYTES;
  static final String SMILE = "application/x-jackson-smile";

  private final Collector collector;
  private final Clock clock;

  public IngestController(Collector collector, Clock clock) {
    this.collector = collector;
    this.clock = clock;
  }

  @Post(consumes = {MediaType.APPLICATION_JSON, SMILE, MediaType.ALL})
  public HttpResponse<Map<String, Object>> ingest(
      @Nullable @Header(HttpHeaders.CONTENT_ENCODING) String encoding, @Nullable @Body byte[] body) {
    if (body == null || body.length == 0) {
      throw ApiException.badParameter("body", "the request has no body; send one report as JSON");
    }
    if (encoding != null && encoding.trim().equalsIgnoreCase("zstd")) {
      try {
        body = ReportWire.unzstd(body, MAX_BODY_BYTES);
      } catch (IllegalArgumentException e) {
        throw new ApiException(e.getMessage().startsWith("inflates") ? HttpStatus.REQUEST_ENTITY_TOO_LARGE
            : HttpStatus.BAD_REQUEST, "body", "the zstd-encoded report " + e.getMessage());
      }
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body", "the report is "
          + body.length + " bytes after decompression; the limit is " + MAX_BODY_BYTES + " bytes");
    }
    try {
      Report report = ReportDecoder.decode(body);
      collector.ingest(report, clock.millis());
      Map<String, Object> accepted = new LinkedHashMap<>();
      accepted.put("status", HttpStatus.ACCEPTED.getCode());
      accepted.put("hostId", report.hostId());
      accepted.put("seq", report.seq());
      return HttpResponse.accepted().body(accepted);
    } catch (InvalidReportException e) {
      throw ApiException.badParameter(e.field(), e.getMessage());
    }
  }
}
