package io.chronoscope.collector;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Turns one report's bytes, JSON or Smile ({@link ReportWire#of} tells them apart), into a
 * {@link Report}, for every transport alike (HTTP body, Kafka record value), so a report refused
 * on one is refused on the other with the same reason.
 */
public final class ReportDecoder {
  /** Largest report accepted, after decompression: ten thousand connections take about 2 MiB. */
  public static final int MAX_REPORT_BYTES = 8 * 1024 * 1024;

  private ReportDecoder() {}

  /**
   * @throws InvalidReportException naming the JSON path of the bad value ({@code processes[2].pid}),
   *     or {@code body} when the report is missing, too large or unreadable
   */
  public static Report decode(byte[] json) {
    if (json == null || json.length == 0) {
      throw new InvalidReportException("body", "is empty; send one report as JSON (or Smile)");
    }
    if (json.length > MAX_REPORT_BYTES) {
      throw new InvalidReportException("body", "is " + json.length
          + " bytes after decompression; the limit is " + MAX_REPORT_BYTES + " bytes");
    }
    ReportWire wire = ReportWire.of(json);
    try {
      return wire == ReportWire.JSON ? ReportJsonReader.read(json) : ReportJsonReader.read(wire.factory(), json);
    } catch (ReportJsonReader.NotCanonical e) {
      // Not in the probe's own shape, or not valid: data binding takes it or names what is wrong.
    }
    try {
      return wire.mapper().readValue(json, Report.class);
    } catch (JsonProcessingException e) {
      String field = fieldOf(e);
      throw new InvalidReportException(field, "is not valid" + location(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidReportException("body", "cannot be read: " + e.getMessage());
    }
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
