package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.MetricStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import io.chronoscope.topology.Views;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The explorer's filtering: search terms over the rendered view, metric comparisons from the metric store. */
class FilteredViewTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long T1 = T0 + 30_000;

  @Test
  void metricComparisonsReadTheLatestSampleBeforeTheInstant() throws Exception {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    store.metrics().record(List.of(
        new MetricStore.Sample(TestWorld.CLIENT.id(), "cpu", T1 - 20_000, 1.0),
        new MetricStore.Sample(TestWorld.CLIENT.id(), "cpu", T1 - 5_000, 9.0),
        new MetricStore.Sample(TestWorld.SERVER.id(), "cpu", T1 - 5_000, 2.0),
        new MetricStore.Sample(TestWorld.SERVER.id(), "memory", T1 - 5_000, 5.0 * 1024 * 1024)));
    Graph world = store.stateAt(T1);

    assertThat(labels(new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("cpu > 4%"))
        .render(world, store.metrics(), T1))).containsExactly("client");
    assertThat(labels(new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("cpu > 4%"))
        .render(world, store.metrics(), T1 - 10_000))).as("only samples before the instant count").isEmpty();
    assertThat(labels(new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("memory < 10mb"))
        .render(world, store.metrics(), T1))).containsExactly("server");
    assertThat(labels(new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("cpu > 4%")).render(world)))
        .as("without a metric store nothing has a value").isEmpty();
  }

  @Test
  void searchKeepsMatchingNodesAndTheEdgesBetweenThem() throws Exception {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    Graph world = store.stateAt(T1);

    Graph both = new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("hostname: node-1")).render(world);
    Graph one = new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("/^cli/")).render(world);

    assertThat(labels(both)).containsExactlyInAnyOrder("client", "server");
    assertThat(both.edges()).hasSize(1);
    assertThat(labels(one)).containsExactly("client");
    assertThat(one.edges()).isEmpty();
    assertThat(FilteredView.of(Views.PROCESSES).render(world))
        .isEqualTo(Views.render(Views.PROCESSES, world).orElseThrow());
  }

  private static List<String> labels(Graph g) {
    return g.nodes().values().stream().map(Node::label).toList();
  }
}
