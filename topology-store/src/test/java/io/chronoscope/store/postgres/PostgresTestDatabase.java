package io.chronoscope.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the tests run against, named by CHRONOSCOPE_TEST_PG_URL, _USER and
 * _PASSWORD (.ci/run starts a throwaway cluster and sets them). Without the URL the tests skip
 * and say so; with a URL that does not answer they fail, since someone meant them to run.
 */
public final class PostgresTestDatabase {
  private final String url;
  private final String user;
  private final String password;

  private PostgresTestDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public static PostgresTestDatabase require() {
    String url = System.getenv("CHRONOSCOPE_TEST_PG_URL");
    Assumptions.assumeTrue(url != null && !url.isBlank(),
        "no PostgreSQL to test against: set CHRONOSCOPE_TEST_PG_URL (and CHRONOSCOPE_TEST_PG_USER,"
            + " CHRONOSCOPE_TEST_PG_PASSWORD); .ci/run starts one on port 5433");
    PostgresTestDatabase db = new PostgresTestDatabase(url, System.getenv("CHRONOSCOPE_TEST_PG_USER"),
        System.getenv("CHRONOSCOPE_TEST_PG_PASSWORD"));
    try (Connection c = db.connect()) {
      return db;
    } catch (SQLException e) {
      return fail("CHRONOSCOPE_TEST_PG_URL is set to " + url + " but PostgreSQL does not answer: " + e.getMessage());
    }
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  public PostgresStoreSettings settings(String schema, Duration retention, Duration keyframeInterval) {
    return PostgresStoreSettings.of(url, user, password, retention, keyframeInterval).withSchema(schema);
  }

  /** Drops a test's schema and all its tables, so the next store starts from nothing. */
  public void dropSchema(String schema) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }
}
