package io.chronoscope.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How a report travels from probe to collector: the same Jackson model as JSON (for people and
 * curl) or as Smile, Jackson's binary JSON (what probes send). A 200-container report is 564 KiB
 * of JSON whose parsing was half of a collector's budget per report; Smile keeps field names and
 * short repeated strings (addresses, images, hosts) as back-references and numbers as binary, so
 * it is smaller and reads without text scanning. Compression is the transport's business: HTTP
 * {@code Content-Encoding}, Kafka's producer compression.
 */
public enum ReportWire {
  JSON("application/json", Json.mapper()),
  SMILE("application/x-jackson-smile", Json.smile());

  private static final int ZSTD_LEVEL = 3;

  private final String contentType;
  private final ObjectMapper mapper;

  ReportWire(String contentType, ObjectMapper mapper) {
    this.contentType = contentType;
    this.mapper = mapper;
  }

  /** The media type of this format, for {@code Content-Type} and the Kafka header. */
  public String contentType() {
    return contentType;
  }

  /** Data binding in this format, with the shared mapper's settings. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** The streaming factory of this format, for readers that walk tokens themselves. */
  public JsonFactory factory() {
    return mapper.getFactory();
  }

  public byte[] encode(Report report) {
    try {
      return mapper.writeValueAsBytes(report);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The format of encoded report bytes, told by their first bytes: Smile always starts with its
   * header {@code :)\n} (the mapper writes it), which JSON never can, so neither a missing
   * {@code Content-Type} nor an old Kafka record without the header can mislead the collector.
   */
  public static ReportWire of(byte[] bytes) {
    return bytes.length >= 3 && bytes[0] == ':' && bytes[1] == ')' && bytes[2] == '\n' ? SMILE : JSON;
  }

  /** Compressed as probes send Smile over HTTP ({@code Content-Encoding: zstd}): several times cheaper to inflate than gzip. */
  public static byte[] zstd(byte[] bytes) {
    return Zstd.compress(bytes, ZSTD_LEVEL);
  }

  /**
   * The bytes a zstd frame holds, refusing more than {@code limit}: a small body must not
   * inflate into a huge one, so the frame's declared size is checked before anything is made, and
   * a frame without one is streamed no further than the limit.
   *
   * @throws IllegalArgumentException saying why: not zstd, corrupt, or larger than the limit
   */
  public static byte[] unzstd(byte[] frame, int limit) {
    long size;
    try {
      size = Zstd.getFrameContentSize(frame);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("is not zstd-compressed: " + e.getMessage());
    }
    if (size > limit) {
      throw new IllegalArgumentException("inflates to " + size + " bytes; the limit is " + limit + " bytes");
    }
    try {
      if (size >= 0) {
        return Zstd.decompress(frame, (int) size);
      }
      try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(frame))) {
        byte[] bytes = in.readNBytes(limit + 1);
        if (bytes.length > limit) {
          throw new IllegalArgumentException("inflates to more than " + limit + " bytes; the limit is "
              + limit + " bytes");
        }
        return bytes;
      }
    } catch (ZstdException | IOException e) {
      throw new IllegalArgumentException("is not valid zstd: " + e.getMessage());
    }
  }

  /** By name as a flag gives it: {@code smile} or {@code json}, any case. */
  public static ReportWire named(String name) {
    for (ReportWire wire : values()) {
      if (wire.name().equalsIgnoreCase(name.trim())) {
        return wire;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a report format; use smile or json");
  }
}
