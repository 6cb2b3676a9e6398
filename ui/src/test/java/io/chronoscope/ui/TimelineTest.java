package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.store.TimelineEvent;
import io.chronoscope.store.TimelineEvents;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Views;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The timeline's buckets and tape: applying the tape reproduces the view at every boundary. */
class TimelineTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long T1 = T0 + 30_000;
  private static final long T2 = T0 + 50_000;

  @Test
  void countsChangesPerBucketAndTheTapeReplaysTheView() throws Exception {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    store.append(ChangeSet.between(T2, TestWorld.AT_T1, TestWorld.AT_T2));
    TimelineEvent deploy = new TimelineEvent("d1", T1 + 1000, "deploy", "succeeded", "prod/shop/api", "api 1.2", "healthy");
    TimelineEvents events = (from, to, limit) -> List.of(deploy);
    FilteredView view = FilteredView.of(Views.PROCESSES);

    Timeline t = Timeline.read(store, events, view, T0, T2, 5);

    assertThat(t.stepMs()).isEqualTo(10_000);
    assertThat(t.changes()).containsExactly(0, 0, 1, 0, 2);
    assertThat(t.events()).containsExactly(deploy);
    Graph g = view.render(store.stateAt(T0));
    for (int i = 0; i < t.tape().size(); i++) {
      g = t.tape().get(i).applyTo(g);
      long boundary = Math.min(T2, T0 + (i + 1) * t.stepMs());
      assertThat(g).as("the view at boundary " + (i + 1)).isEqualTo(view.render(store.stateAt(boundary)));
    }
    assertThat(t.position(T0 + 25_000)).isEqualTo(2);
    assertThat(t.position(T0 - 1)).isZero();
    assertThat(t.position(T2 + 60_000)).isEqualTo(5);
  }

  @Test
  void theTapeFollowsTheSearch() throws Exception {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    store.append(ChangeSet.between(T2, TestWorld.AT_T1, TestWorld.AT_T2));
    FilteredView onlyDb = new FilteredView(Views.PROCESSES, null, null, SearchQuery.parse("comm: db"));

    Timeline t = Timeline.read(store, TimelineEvents.NONE, onlyDb, T0, T2, 5);

    List<ChangeSet> nonEmpty = t.tape().stream().filter(c -> !c.isEmpty()).toList();
    assertThat(nonEmpty).hasSize(1);
    assertThat(nonEmpty.get(0).addedNodes()).containsExactly(TestWorld.DB);
    assertThat(nonEmpty.get(0).addedEdges()).as("the server is filtered out, so is its edge").isEmpty();
  }

  @Test
  void burstsStandOutFromTheMedianAndJumpsFindTheNeighbours() {
    Timeline t = new Timeline(0, 100_000, 10_000, new int[] {1, 2, 1, 9, 8, 1, 0, 2, 12, 1}, List.of(), List.of());

    assertThat(t.bursts()).containsExactly(40_000L, 90_000L);
    assertThat(Timeline.next(t.bursts(), 50_000, true)).isEqualTo(OptionalLong.of(90_000));
    assertThat(Timeline.next(t.bursts(), 50_000, false)).isEqualTo(OptionalLong.of(40_000));
    assertThat(Timeline.next(t.bursts(), 90_000, true)).isEmpty();
    assertThat(new Timeline(0, 10, 1, new int[] {2, 2, 2}, List.of(), List.of()).bursts())
        .as("steady churn is no burst").isEmpty();
  }

  @Test
  void edgesWeighTheirBytesBothWays() {
    Edge e = new Edge("a", "b", java.util.Map.of("bytesSent", 100L, "bytesReceived", 50L, "connections", 2L));
    assertThat(GraphJson.bytes(e)).isEqualTo(150);
    assertThat(GraphJson.of(Graph.of(List.of(TestWorld.CLIENT, TestWorld.SERVER),
        List.of(new Edge(TestWorld.CLIENT.id(), TestWorld.SERVER.id(), java.util.Map.of("bytesSent", 10L))))))
        .contains("\"bytes\":10");
  }

  @Test
  void theTapeLeavesOutChangesTheDrawingDoesNotShow() {
    Edge before = new Edge("a", "b", java.util.Map.of("connections", 1L, "bytesSent", 1_000_000L));
    Edge slightlyMore = new Edge("a", "b", java.util.Map.of("connections", 1L, "bytesSent", 1_000_500L));
    Edge tenTimes = new Edge("a", "b", java.util.Map.of("connections", 1L, "bytesSent", 10_000_000L));
    Edge twoConnections = new Edge("a", "b", java.util.Map.of("connections", 2L, "bytesSent", 1_000_000L));
    ChangeSet c = new ChangeSet(1, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(
        new ChangeSet.Change<>(before, slightlyMore), new ChangeSet.Change<>(before, tenTimes),
        new ChangeSet.Change<>(before, twoConnections)));

    assertThat(GraphJson.drawnChanges(c).changedEdges()).extracting(ChangeSet.Change::after)
        .containsExactly(tenTimes, twoConnections);
  }
}
