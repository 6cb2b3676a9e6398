package io.chronoscope.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.ChurningWorld;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The all-in-one's embedded-postgres mode: the bundled server keeps history across restarts. */
class EmbeddedPostgresServerTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final Duration RETENTION = Duration.ofHours(6);
  private static final Duration KEYFRAMES = Duration.ofSeconds(5);

  @Test
  void historySurvivesARestartOfServerAndStore(@TempDir Path home) throws Exception {
    Path data = home.resolve("pg");
    ChurningWorld world = new ChurningWorld(31, 40, 0.1, 2);
    List<Graph> states = new ArrayList<>();
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(data);
        PostgresTopologyStore store = new PostgresTopologyStore(server.settings(RETENTION, KEYFRAMES))) {
      store.append(ChangeSet.between(T0, Graph.EMPTY, world.graph()));
      states.add(world.graph());
      for (int i = 1; i < 12; i++) {
        store.append(world.tick(T0 + i * 1000L));
        states.add(world.graph());
      }
    }
    assertThat(data.resolve("PG_VERSION")).exists();

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(data);
        PostgresTopologyStore store = new PostgresTopologyStore(server.settings(RETENTION, KEYFRAMES))) {
      assertThat(store.retained().from()).isEqualTo(T0);
      assertThat(store.retained().to()).isEqualTo(T0 + 11_000);
      for (int i = 0; i < states.size(); i++) {
        assertThat(store.stateAt(T0 + i * 1000L)).as("state at tick %d", i).isEqualTo(states.get(i));
      }
      assertThat(store.stats().keyframes()).isEqualTo(3);
    }
  }
}
