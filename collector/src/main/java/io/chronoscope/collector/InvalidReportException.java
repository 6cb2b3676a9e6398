package io.chronoscope.collector;

/** A report the collector refuses; names the field and what is wrong with it. */
public final class InvalidReportException extends RuntimeException {
  private final String field;

  public InvalidReportException(String field, String problem) {
    super(field + " " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
