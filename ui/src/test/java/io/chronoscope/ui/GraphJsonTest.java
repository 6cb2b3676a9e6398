package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Kinds;
import io.chronoscope.topology.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphJsonTest {

  @Test
  void sendsIdLabelKindAndEdgeEndsOnly() {
    Graph g = Graph.of(
        List.of(
            new Node("h1;10;5", Kinds.PROCESS, "client", Map.of("pid", 10, "cmdline", "client --x")),
            new Node("h1;20;6", Kinds.PROCESS, "server", Map.of())),
        List.of(new Edge("h1;10;5", "h1;20;6", Map.of("connections", 3))));

    assertThat(GraphJson.of(g)).isEqualTo("{\"nodes\":["
        + "{\"id\":\"h1;10;5\",\"label\":\"client\",\"kind\":\"process\"},"
        + "{\"id\":\"h1;20;6\",\"label\":\"server\",\"kind\":\"process\"}],"
        + "\"edges\":[{\"id\":\"h1;10;5|h1;20;6\",\"source\":\"h1;10;5\",\"target\":\"h1;20;6\","
        + "\"connections\":3}]}");
  }

  @Test
  void labelsANodeWithoutLabelByItsId() {
    Graph g = Graph.of(List.of(new Node(";10.0.0.9;443", Kinds.REMOTE, null, Map.of())), List.of());

    assertThat(GraphJson.of(g)).contains("\"label\":\";10.0.0.9;443\"");
  }

  @Test
  void emptyGraph() {
    assertThat(GraphJson.of(Graph.EMPTY)).isEqualTo("{\"nodes\":[],\"edges\":[]}");
  }

  @Test
  void escapesLabels() {
    Graph g = Graph.of(List.of(new Node("n", Kinds.PROCESS, "a\"b</script>", Map.of())), List.of());

    assertThat(GraphJson.of(g)).contains("\"label\":\"a\\\"b</script>\"");
  }
}
