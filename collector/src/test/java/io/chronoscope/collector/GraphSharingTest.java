package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Graph keeps its maps as persistent trees so that a tick's changes cost what they change (the
 * collector leans on it). Here they are held to what a TreeMap does under the same random puts and
 * removes, in both ways a builder folds its changes (a few into a large graph, many at once), and
 * earlier graphs must not see later changes.
 */
class GraphSharingTest {
  @Test
  void behavesAsASortedMapThroughManyGenerations() {
    Random random = new Random(11);
    TreeMap<String, Node> expected = new TreeMap<>();
    Graph graph = Graph.EMPTY;
    List<Graph> generations = new ArrayList<>();
    List<TreeMap<String, Node>> expectedGenerations = new ArrayList<>();
    for (int generation = 0; generation < 300; generation++) {
      Graph.Builder b = graph.toBuilder();
      // Mostly a few changes (path copies), sometimes a flood (one merge pass).
      int changes = generation % 25 == 0 ? 3000 : random.nextInt(40);
      for (int i = 0; i < changes; i++) {
        String id = "n" + random.nextInt(5000);
        if (random.nextInt(3) == 0) {
          b.removeNode(id);
          expected.remove(id);
        } else {
          Node n = new Node(id, "process", id, Map.of("v", (long) random.nextInt(3)));
          b.node(n);
          expected.put(id, n);
        }
        assertThat(b.hasNode(id)).isEqualTo(expected.containsKey(id));
      }
      graph = b.build();
      assertThat(graph.nodes()).hasSize(expected.size());
      assertThat(new ArrayList<>(graph.nodes().keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
      assertThat(graph.nodes()).isEqualTo(expected);
      assertThat(expected).isEqualTo(graph.nodes());
      assertThat(graph.nodes().hashCode()).isEqualTo(expected.hashCode());
      generations.add(graph);
      expectedGenerations.add(new TreeMap<>(expected));
    }
    for (int i = 0; i < generations.size(); i += 17) {
      assertThat(generations.get(i).nodes()).as("generation %d kept", i).isEqualTo(expectedGenerations.get(i));
      String probe = "n" + random.nextInt(5000);
      assertThat(generations.get(i).node(probe)).isEqualTo(expectedGenerations.get(i).get(probe));
    }
  }

  @Test
  void graphsBuiltApartAreEqualByContentAndDiffLikeBefore() {
    Node a = new Node("a", "host", "a", Map.of());
    Node b = new Node("b", "host", "b", Map.of("x", 1L));
    Node b2 = new Node("b", "host", "b", Map.of("x", 2L));
    Node c = new Node("c", "host", "c", Map.of());
    Edge ab = new Edge("a", "b", Map.of());
    Graph one = Graph.of(List.of(c, b, a), List.of(ab));
    Graph same = Graph.builder().node(a).node(b).node(c).edge(ab).build();
    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);

    Graph two = one.toBuilder().removeNode("a").node(b2).removeEdge(ab.key()).node(new Node("d", "host", "d", Map.of())).build();
    ChangeSet diff = ChangeSet.between(5, one, two);
    assertThat(diff.removedNodes()).containsExactly(a);
    assertThat(diff.changedNodes()).containsExactly(new ChangeSet.Change<>(b, b2));
    assertThat(diff.addedNodes()).extracting(Node::id).containsExactly("d");
    assertThat(diff.removedEdges()).containsExactly(ab);
    assertThat(diff.applyTo(one)).isEqualTo(two);
    assertThat(diff.revert(two)).isEqualTo(one);
    assertThat(one.nodes()).containsOnlyKeys("a", "b", "c");
  }
}
