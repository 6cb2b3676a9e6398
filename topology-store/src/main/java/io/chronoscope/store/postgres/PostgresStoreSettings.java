package io.chronoscope.store.postgres;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where and how {@link PostgresTopologyStore} keeps history.
 *
 * @param jdbcUrl          {@code jdbc:postgresql://host:port/database}
 * @param user             database user
 * @param password         its password; never printed
 * @param schema           schema the store's tables live in, created when missing
 * @param shard            the name this writer's ticks are stored under; one writer per shard
 * @param retention        history kept
 * @param keyframeInterval time between complete graphs
 * @param poolSize         connections in the pool
 */
public record PostgresStoreSettings(String jdbcUrl, String user, String password, String schema,
    String shard, Duration retention, Duration keyframeInterval, int poolSize) {
  public static final String DEFAULT_SCHEMA = "chronoscope";
  public static final String DEFAULT_SHARD = "world";
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&]*");

  public PostgresStoreSettings {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("the PostgreSQL URL must start with jdbc:postgresql:, was "
          + (jdbcUrl == null ? "nothing" : redact(jdbcUrl)));
    }
    // The schema name goes into DDL and partition names, so it is held to a plain identifier.
    if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException("schema must be a lower-case SQL identifier, was " + schema);
    }
    if (shard == null || shard.isBlank()) {
      throw new IllegalArgumentException("shard must not be blank");
    }
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
    }
    if (keyframeInterval == null || keyframeInterval.isNegative() || keyframeInterval.isZero()) {
      throw new IllegalArgumentException("keyframe interval must be positive, was " + keyframeInterval);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, was " + poolSize);
    }
  }

  /** The default schema, shard and a pool of four: writes are serial, reads come from the API. */
  public static PostgresStoreSettings of(String jdbcUrl, String user, String password,
      Duration retention, Duration keyframeInterval) {
    return new PostgresStoreSettings(jdbcUrl, user, password, DEFAULT_SCHEMA, DEFAULT_SHARD,
        retention, keyframeInterval, 4);
  }

  public PostgresStoreSettings withShard(String shard) {
    return new PostgresStoreSettings(jdbcUrl, user, password, schema, shard, retention, keyframeInterval, poolSize);
  }

  public PostgresStoreSettings withPoolSize(int poolSize) {
    return new PostgresStoreSettings(jdbcUrl, user, password, schema, shard, retention, keyframeInterval, poolSize);
  }

  public PostgresStoreSettings withSchema(String schema) {
    return new PostgresStoreSettings(jdbcUrl, user, password, schema, shard, retention, keyframeInterval, poolSize);
  }

  /** The URL as it may be printed: a password given as a URL parameter is masked. */
  public String redactedUrl() {
    return redact(jdbcUrl);
  }

  private static String redact(String url) {
    return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
  }

  @Override
  public String toString() {
    return "PostgresStoreSettings[" + redactedUrl() + " user " + user + ", schema " + schema
        + ", shard " + shard + ", retention " + retention + ", keyframe interval " + keyframeInterval + "]";
  }
}
