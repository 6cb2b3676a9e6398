package io.chronoscope.deploys.store;

import io.chronoscope.store.postgres.PostgresTestDatabase;
import io.chronoscope.store.postgres.PostgresTopologyStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The contract against a real PostgreSQL (CHRONOSCOPE_TEST_PG_URL), in the store's own schema. */
class PostgresDeployEventStoreTest extends DeployEventStoreContract {
  private static final String SCHEMA = "deploy_events_test";
  private PostgresTopologyStore topology;

  @Override
  protected DeployEventStore newStore() throws Exception {
    PostgresTestDatabase pg = PostgresTestDatabase.require();
    pg.dropSchema(SCHEMA);
    topology = new PostgresTopologyStore(pg.settings(SCHEMA, Duration.ofDays(7), Duration.ofMinutes(10)));
    return new PostgresDeployEventStore(topology.deploys());
  }

  @AfterEach
  void close() {
    if (topology != null) {
      topology.close();
    }
  }
}
