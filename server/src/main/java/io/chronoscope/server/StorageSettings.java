package io.chronoscope.server;

import io.chronoscope.store.StoreUnavailableException;
import io.chronoscope.store.MergedTopologyStore;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.postgres.OtherShards;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.store.postgres.EmbeddedPostgresServer;
import io.chronoscope.store.postgres.PostgresStoreSettings;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Deque;
import java.util.List;

/**
 * Where the all-in-one keeps history: {@code CHRONOSCOPE_STORAGE} = memory (default), postgres
 * (with {@code CHRONOSCOPE_PG_URL}, {@code _USER}, {@code _PASSWORD}) or embedded-postgres (a
 * bundled PostgreSQL with its data in {@code <home>/pg}). Every error names the setting to fix and
 * never prints the password.
 */
public record StorageSettings(String type, String pgUrl, String pgUser, String pgPassword, String shard) {
  private static final java.util.regex.Pattern SHARD = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,63}");
  public static final String MEMORY = "memory";
  public static final String POSTGRES = "postgres";
  public static final String EMBEDDED_POSTGRES = "embedded-postgres";
  static final List<String> TYPES = List.of(MEMORY, POSTGRES, EMBEDDED_POSTGRES);

  /**
   * @throws IllegalArgumentException naming the flag and environment variable that is wrong
   */
  public StorageSettings {
    type = type == null ? MEMORY : type.trim().toLowerCase();
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("Invalid value for option '--storage' (env CHRONOSCOPE_STORAGE): '"
          + type + "' is not one of " + String.join(", ", TYPES));
    }
    pgUrl = pgUrl == null || pgUrl.isBlank() ? null : pgUrl.trim();
    if (POSTGRES.equals(type) && pgUrl == null) {
      throw new IllegalArgumentException("--storage postgres needs the database: set CHRONOSCOPE_PG_URL"
          + " (or --pg-url), e.g. jdbc:postgresql://db.example:5432/chronoscope");
    }
    if (POSTGRES.equals(type) && !pgUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("Invalid value for option '--pg-url' (env CHRONOSCOPE_PG_URL): '"
          + redact(pgUrl) + "' does not start with jdbc:postgresql:");
    }
    shard = shard == null || shard.isBlank() ? PostgresStoreSettings.DEFAULT_SHARD : shard.trim();
    if (!SHARD.matcher(shard).matches()) {
      throw new IllegalArgumentException("Invalid value for option '--shard' (env CHRONOSCOPE_SHARD): '" + shard
          + "' must be 1-63 letters, digits, '.', '_' or '-'");
    }
  }

  public StorageSettings(String type, String pgUrl, String pgUser, String pgPassword) {
    this(type, pgUrl, pgUser, pgPassword, null);
  }

  /**
   * The store the collector writes (its own shard) and the one the API reads: with PostgreSQL,
   * its shard merged with every other collector's shard in the same schema, so any collector of a
   * Kafka group answers for the whole world.
   */
  public record Opened(TopologyStore own, TopologyStore reads) {}

  public static StorageSettings memory() {
    return new StorageSettings(MEMORY, null, null, null);
  }

  /**
   * Opens the chosen store and checks that it serves, pushing what must be closed on shutdown
   * (the store, and the embedded server after it) onto {@code resources}.
   *
   * @throws ConfigurationException naming the setting when the database cannot be reached or set up
   */
  Opened open(Path home, Duration retention, Duration keyframeInterval, Deque<AutoCloseable> resources) {
    switch (type) {
      case POSTGRES -> {
        PostgresTopologyStore store = new PostgresTopologyStore(
            PostgresStoreSettings.of(pgUrl, pgUser, pgPassword, retention, keyframeInterval).withShard(shard));
        resources.push(store);
        try {
          store.check();
        } catch (StoreUnavailableException e) {
          // Refused credentials (SQLSTATE class 28) are fixed elsewhere than an unreachable URL.
          String setting = sqlState(e).startsWith("28")
              ? "CHRONOSCOPE_PG_USER / CHRONOSCOPE_PG_PASSWORD" : "CHRONOSCOPE_PG_URL (--pg-url)";
          throw new ConfigurationException(setting + ": " + e.getMessage(), e);
        }
        return merged(store, resources);
      }
      case EMBEDDED_POSTGRES -> {
        EmbeddedPostgresServer server;
        try {
          server = EmbeddedPostgresServer.start(home.resolve("pg"));
        } catch (StoreUnavailableException e) {
          throw new ConfigurationException("CHRONOSCOPE_STORAGE=embedded-postgres: " + e.getMessage(), e);
        }
        resources.push(server);
        PostgresTopologyStore store = new PostgresTopologyStore(
            server.settings(retention, keyframeInterval).withShard(shard));
        resources.push(store);
        checked(store, "CHRONOSCOPE_STORAGE=embedded-postgres");
        return merged(store, resources);
      }
      default -> {
        MemoryTopologyStore store = new MemoryTopologyStore(retention, keyframeInterval);
        return new Opened(store, store);
      }
    }
  }

  /** Other shards are listed every 30 s and their heads reloaded at most once a second. */
  private static Opened merged(PostgresTopologyStore own, Deque<AutoCloseable> resources) {
    OtherShards others = new OtherShards(own, Duration.ofSeconds(30), Duration.ofSeconds(1));
    resources.push(others);
    return new Opened(own, new MergedTopologyStore(own, others));
  }

  /** What start-up prints about where history goes. */
  String describe(Path home) {
    return switch (type) {
      case POSTGRES -> "PostgreSQL at " + redact(pgUrl);
      case EMBEDDED_POSTGRES -> "the embedded PostgreSQL in " + home.resolve("pg");
      default -> "memory (lost at exit; CHRONOSCOPE_STORAGE=embedded-postgres or postgres keeps it)";
    };
  }

  private static void checked(PostgresTopologyStore store, String setting) {
    try {
      store.check();
    } catch (StoreUnavailableException e) {
      throw new ConfigurationException(setting + ": " + e.getMessage(), e);
    }
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return "";
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  @Override
  public String toString() {
    return "StorageSettings[" + type + (pgUrl == null ? "" : " " + redact(pgUrl) + " user " + pgUser)
        + " shard " + shard + "]";
  }
}
