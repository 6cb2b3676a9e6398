package io.chronoscope.server;

/**
 * Start-up cannot go on with the settings given: the message names the flag or environment
 * variable to change and is printed as one line, without a stack trace.
 */
public class ConfigurationException extends RuntimeException {
  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
