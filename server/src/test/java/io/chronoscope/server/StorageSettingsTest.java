package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.store.MergedTopologyStore;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.store.postgres.PostgresTestDatabase;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageSettingsTest {
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Duration KEYFRAMES = Duration.ofMinutes(10);

  @TempDir
  Path home;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  @Test
  void memoryIsTheDefault() {
    StorageSettings.Opened opened = new StorageSettings(null, null, null, null).open(home, RETENTION, KEYFRAMES, resources);
    assertThat(opened.own()).isInstanceOf(MemoryTopologyStore.class).isSameAs(opened.reads());
  }

  @Test
  void anUnknownStorageIsRefusedNamingTheSettingAndTheChoices() {
    assertThatThrownBy(() -> new StorageSettings("mongodb", null, null, null))
        .hasMessageContaining("--storage")
        .hasMessageContaining("CHRONOSCOPE_STORAGE")
        .hasMessageContaining("'mongodb'")
        .hasMessageContaining("memory, postgres, embedded-postgres");
  }

  @Test
  void postgresWithoutAUrlSaysWhichVariableToSet() {
    assertThatThrownBy(() -> new StorageSettings("postgres", " ", "chronoscope", "pw"))
        .hasMessageContaining("CHRONOSCOPE_PG_URL");
  }

  @Test
  void aMalformedUrlIsNamedWithoutItsPassword() {
    assertThatThrownBy(() -> new StorageSettings("postgres", "postgres://db:5432/x?password=url-secret-1", "u", "pw"))
        .hasMessageContaining("CHRONOSCOPE_PG_URL")
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("url-secret-1");
  }

  @Test
  void anUnreachableDatabaseStopsStartUpNamingTheUrlButNeverThePassword() {
    StorageSettings settings = new StorageSettings("postgres", "jdbc:postgresql://127.0.0.1:1/chronoscope",
        "chronoscope", "env-secret-2");
    assertThatThrownBy(() -> settings.open(home, RETENTION, KEYFRAMES, resources))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("CHRONOSCOPE_PG_URL (--pg-url): cannot connect to PostgreSQL at"
            + " jdbc:postgresql://127.0.0.1:1/chronoscope as user chronoscope")
        .hasMessageNotContaining("env-secret-2");
    assertThat(settings.toString()).doesNotContain("env-secret-2");
  }

  @Test
  void refusedCredentialsNameTheUserAndPasswordVariables() {
    PostgresTestDatabase pg = PostgresTestDatabase.require();
    StorageSettings settings = new StorageSettings("postgres", pg.url(), pg.user(), "wrong-secret-3");
    assertThatThrownBy(() -> settings.open(home, RETENTION, KEYFRAMES, resources))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("CHRONOSCOPE_PG_USER / CHRONOSCOPE_PG_PASSWORD: cannot connect")
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("wrong-secret-3");
  }

  @Test
  void postgresStorageOpensTheDatabaseStoreAndClosesItWithTheApp() throws Exception {
    PostgresTestDatabase pg = PostgresTestDatabase.require();
    pg.dropSchema("chronoscope");
    StorageSettings settings = new StorageSettings("postgres", pg.url(), pg.user(), pg.password());
    StorageSettings.Opened opened = settings.open(home, RETENTION, KEYFRAMES, resources);
    TopologyStore store = opened.own();
    assertThat(store).isInstanceOf(PostgresTopologyStore.class);
    assertThat(((PostgresTopologyStore) store).settings().shard()).isEqualTo("world");
    assertThat(opened.reads()).as("the API reads every collector's shard").isInstanceOf(MergedTopologyStore.class);
    assertThat(resources).contains(store);
    assertThat(opened.reads().retained().isEmpty()).isTrue();
    store.close();
  }

  @Test
  void aShardNameThatCannotBeOneIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> new StorageSettings("memory", null, null, null, "a shard; drop"))
        .hasMessageContaining("--shard").hasMessageContaining("CHRONOSCOPE_SHARD").hasMessageContaining("'a shard; drop'");
    assertThat(new StorageSettings("memory", null, null, null, " collector-7 ").shard()).isEqualTo("collector-7");
  }
}
