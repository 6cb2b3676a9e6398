package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasText;
import io.chronoscope.store.TopologyStore;
import io.chronoscope.store.memory.MemoryTopologyStore;
import io.chronoscope.topology.Views;
import io.micronaut.context.ApplicationContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The view's state without a browser: bean wiring, live drawing, the empty store. */
class TopologyViewTest {
  private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private static final long T1 = T0 + 30_000;

  @Test
  void isAPrototypeBeanInjectedWithTheStore() {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    try (ApplicationContext beans = ApplicationContext.builder().singletons(store).start()) {
      TopologyView first = beans.getBean(TopologyView.class);
      TopologyView second = beans.getBean(TopologyView.class);

      assertThat(first).isNotSameAs(second);
      assertThat(beans.getBean(TopologyStore.class)).isSameAs(store);
    }
  }

  @Test
  void liveDrawsTheHeadInTheChosenView() throws Exception {
    MemoryTopologyStore store = TestWorld.store(T0, T1);
    TopologyView view = new TopologyView(store, Clock.fixed(Instant.ofEpochMilli(T1 + 1000), ZoneOffset.UTC));

    view.refresh();

    assertThat(graph(view).shown()).isEqualTo(Views.render(Views.PROCESSES, store.stateAt(T1)).orElseThrow());
    assertThat(text(view, "graph-counts")).isEqualTo("2 nodes · 1 edge");
    assertThat(text(view, "time-label")).isEqualTo("2026-03-01T12:00:30Z · live");
    assertThat(text(view, "range-label"))
        .isEqualTo("Retained: 2026-03-01T12:00:00Z → 2026-03-01T12:00:30Z (30s)");
    assertThat(text(view, "live-button")).isEqualTo("● Live");
  }

  @Test
  void emptyStoreSaysItWaitsForTheFirstReport() {
    TopologyView view = new TopologyView(
        new MemoryTopologyStore(Duration.ofHours(1), Duration.ofMinutes(10)), Clock.systemUTC());

    view.refresh();

    Component empty = find(view, "empty-state").orElseThrow();
    assertThat(((HasText) empty).getText()).isEqualTo(TopologyView.NO_DATA);
    assertThat(empty.getElement().getStyle().get("display")).isEqualTo("flex");
    assertThat(text(view, "graph-counts")).isEqualTo("0 nodes");
  }

  @Test
  void parsesInstantsFromTheUrl() {
    assertThat(TopologyView.parseInstant("2026-03-01T12:00:00Z")).contains(T0);
    assertThat(TopologyView.parseInstant(String.valueOf(T0))).contains(T0);
    assertThat(TopologyView.parseInstant("yesterday")).isEmpty();
    assertThat(TopologyView.viewTitle("processes-by-name")).isEqualTo("Processes by name");
  }

  private static GraphView graph(Component root) {
    return descendants(root).filter(GraphView.class::isInstance).map(GraphView.class::cast)
        .findFirst().orElseThrow();
  }

  private static String text(Component root, String id) {
    return ((HasText) find(root, id).orElseThrow(() -> new AssertionError("no #" + id))).getText();
  }

  private static Optional<Component> find(Component root, String id) {
    return descendants(root).filter(c -> c.getId().filter(id::equals).isPresent()).findFirst();
  }

  private static Stream<Component> descendants(Component c) {
    return Stream.concat(Stream.of(c), c.getChildren().flatMap(TopologyViewTest::descendants));
  }
}
