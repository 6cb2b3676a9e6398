package io.chronoscope.store;

/** The backend cannot serve: unreachable, refused the credentials, or failed a write or read. */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
