package io.chronoscope.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metric and deploy-event tables beside the topology, against a real PostgreSQL. */
class MetricsAndDeploysTest {
  private static final String SCHEMA = "store_extras_test";
  private static final long T0 = 1_700_000_000_000L;
  private PostgresTestDatabase pg;
  private PostgresTopologyStore store;

  @BeforeEach
  void open() throws Exception {
    pg = PostgresTestDatabase.require();
    pg.dropSchema(SCHEMA);
    store = new PostgresTopologyStore(pg.settings(SCHEMA, Duration.ofDays(7), Duration.ofMinutes(10)));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void samplesGoInByCopyOncePerSeriesAndInstantAndReadBackInOrder() throws Exception {
    List<MetricSample> samples = new ArrayList<>();
    for (int node = 0; node < 500; node++) {
      for (int tick = 0; tick < 10; tick++) {
        // Two UTC days: 2023-11-14 22:13 onwards, one sample per node every 20 minutes.
        samples.add(new MetricSample("process_cpu_percent", Map.of("node", "host-1;" + node),
            T0 + tick * 1_200_000L, node * 10 + tick));
      }
    }
    store.metricSamples().append(samples);
    store.metricSamples().append(samples.subList(0, 2000));

    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".metric_samples")).isEqualTo(5000);
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".metric_series")).isEqualTo(500);
    assertThat(count("SELECT count(*) FROM " + SCHEMA + ".metric_samples_p20231115")).isPositive();
    List<MetricSamples.Point> points = store.metricSamples().read("process_cpu_percent", Map.of("node", "host-1;42"),
        T0 + 1_200_000, T0 + 3_600_000);
    assertThat(points).containsExactly(new MetricSamples.Point(T0 + 1_200_000, 421),
        new MetricSamples.Point(T0 + 2_400_000, 422), new MetricSamples.Point(T0 + 3_600_000, 423));
  }

  @Test
  void aDeployDeliveredTwiceIsRecordedOnceAndFoundByTimeAndTarget() throws Exception {
    DeployEvent api = new DeployEvent("github:delivery-1", T0, "prod/payments/api",
        Map.of("version", "1.4.2", "author", "ada"));
    DeployEvent web = new DeployEvent("argocd:web:abc123:Succeeded", T0 + 60_000, "prod/shop/web", Map.of("revision", "abc123"));

    assertThat(store.deploys().record(api)).isTrue();
    assertThat(store.deploys().record(api)).isFalse();
    assertThat(store.deploys().record(web)).isTrue();

    assertThat(store.deploys().between(T0 - 1, T0 + 120_000, null)).containsExactly(api, web);
    assertThat(store.deploys().between(T0 - 1, T0 + 120_000, "prod/shop/web")).containsExactly(web);
    assertThat(store.deploys().between(T0 + 1, T0 + 59_999, null)).isEmpty();
  }

  private long count(String sql) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
