package io.chronoscope.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Json;
import io.chronoscope.model.ReportWire;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Node and edge attributes behave as the sorted, immutable, null-free map they always were (a
 * {@code TreeMap} copy before), now as arrays: same order, same equality and hash, same JSON.
 */
class AttrsTest {
  @Test
  void keepsKeysSortedDropsNullsAndWidensNumbersAsATreeMapCopyDid() {
    Random random = new Random(5);
    for (int round = 0; round < 500; round++) {
      Map<String, Object> given = new HashMap<>();
      TreeMap<String, Object> expected = new TreeMap<>();
      for (int i = random.nextInt(15); i > 0; i--) {
        String key = "k" + random.nextInt(30);
        Object value = switch (random.nextInt(5)) {
          case 0 -> null;
          case 1 -> random.nextInt(100);
          case 2 -> random.nextFloat();
          case 3 -> "v" + random.nextInt(9);
          default -> random.nextBoolean();
        };
        given.put(key, value);
        if (value == null) {
          expected.remove(key);
        } else {
          expected.put(key, value instanceof Integer n ? (Object) n.longValue()
              : value instanceof Float f ? (Object) f.doubleValue() : value);
        }
      }
      Node node = new Node("n", "process", "n", given);
      assertThat(node.attrs()).isEqualTo(expected).hasSameHashCodeAs(expected);
      assertThat(expected).isEqualTo(node.attrs());
      assertThat(List.copyOf(node.attrs().keySet())).isEqualTo(List.copyOf(expected.keySet()));
      expected.keySet().forEach(k -> assertThat(node.attrs().get(k)).isEqualTo(expected.get(k)));
      assertThat(node.attrs().get("absent")).isNull();
      assertThat(node.attrs().containsKey(42)).isFalse();
    }
  }

  @Test
  void isImmutableAndSharedNotCopiedBetweenNodes() {
    Node a = new Node("a", "process", "a", Map.of("pid", 7, "comm", "nginx"));
    assertThatThrownBy(() -> a.attrs().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> a.attrs().entrySet().iterator().next().setValue(1L))
        .isInstanceOf(UnsupportedOperationException.class);
    Node b = new Node("b", "process", "b", a.attrs());
    assertThat(b.attrs()).isSameAs(a.attrs());
    assertThat(new Node("c", "process", "c", null).attrs()).isEmpty();
  }

  @Test
  void decodesFromJsonAndSmileToEqualNodesAndTakesTheLastOfADuplicateKey() throws Exception {
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("zeta", "last");
    attrs.put("alpha", 1);
    attrs.put("cpu", 0.25);
    attrs.put("up", true);
    attrs.put("big", Long.MAX_VALUE);
    Node node = new Node("p", "process", "p", attrs);
    Edge edge = new Edge("p", "q", Map.of("bytes", 12_000));
    for (ReportWire wire : ReportWire.values()) {
      byte[] bytes = wire.mapper().writeValueAsBytes(node);
      Node decoded = wire.mapper().readValue(bytes, Node.class);
      assertThat(decoded).as(wire.name()).isEqualTo(node);
      assertThat(List.copyOf(decoded.attrs().keySet())).containsExactly("alpha", "big", "cpu", "up", "zeta");
      assertThat(wire.mapper().readValue(wire.mapper().writeValueAsBytes(edge), Edge.class)).isEqualTo(edge);
    }
    Node duplicate = Json.mapper().readValue(
        "{\"id\":\"p\",\"kind\":\"process\",\"label\":\"p\",\"attrs\":{\"b\":1,\"a\":null,\"b\":2,\"c\":[1,2]}}", Node.class);
    assertThat(duplicate.attrs()).containsExactly(Map.entry("b", 2L), Map.entry("c", List.of(1, 2)));
    Node none = Json.mapper().readValue("{\"id\":\"p\",\"kind\":\"process\",\"label\":\"p\",\"attrs\":null}", Node.class);
    assertThat(none.attrs()).isEmpty();
    assertThatThrownBy(() -> Json.mapper().readValue(
        "{\"id\":\"p\",\"kind\":\"process\",\"label\":\"p\",\"attrs\":[1]}", Node.class))
        .hasMessageContaining("attrs");
  }
}
