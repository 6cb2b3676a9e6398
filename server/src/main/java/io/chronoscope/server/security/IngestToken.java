package io.chronoscope.server.security;

import java.nio.file.Path;

/**
 * The token probes send reports with. It opens {@code POST /api/v1/reports} and nothing else, so
 * the token spread to every host cannot read the topology or drive the UI. Set by
 * {@code CHRONOSCOPE_INGEST_TOKEN}, else generated once and kept in {@code <home>/ingest-token}
 * (mode 600).
 *
 * @param token  the secret
 * @param source where it came from, for the start-up line: the variable name or the file path
 */
public record IngestToken(AccessToken token, String source) {
  public static final String ENV = "CHRONOSCOPE_INGEST_TOKEN";
  public static final String FILE = "ingest-token";

  public static IngestToken load(String fromEnv, Path home) {
    boolean fromEnvironment = fromEnv != null && !fromEnv.isBlank();
    return new IngestToken(AccessToken.load(fromEnv, home, FILE),
        fromEnvironment ? "the environment variable " + ENV : home.resolve(FILE).toString());
  }

  public boolean matches(String candidate) {
    return token.matches(candidate);
  }
}
