package io.chronoscope.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;

/** The one JSON (and Smile) codec for reports and graphs, so every module reads and writes the same shape. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** The same model as Smile, Jackson's binary JSON; short repeated strings become back-references. */
  private static final ObjectMapper SMILE = MAPPER.copyWith(SmileFactory.builder()
      .enable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES)
      .build());

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** For reports on the wire and stored graphs: binary, same fields, same settings. */
  public static ObjectMapper smile() {
    return SMILE;
  }
}
