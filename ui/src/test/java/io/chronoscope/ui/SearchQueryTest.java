package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchQueryTest {
  private static final Node NGINX = new Node("h1;100", "process", "nginx",
      Map.of("comm", "nginx", "hostname", "node-1", "cpu", 7.5, "memory", 50L * 1024 * 1024,
          "label.app", "web"));
  private static final Node REDIS = new Node("h2;200", "process", "redis-server",
      Map.of("comm", "redis-server", "hostname", "node-2", "cpu", 1.0, "memory", 4L * 1024 * 1024));
  private static final Node HOST = new Node("h1", "host", "node-1", Map.of("hostname", "node-1"));
  private static final List<Node> ALL = List.of(NGINX, REDIS, HOST);

  @Test
  void blankMatchesEverything() {
    assertThat(SearchQuery.parse("  ").isEmpty()).isTrue();
    assertThat(matches("")).containsExactly("nginx", "redis-server", "node-1");
  }

  @Test
  void freeTextIsACaseInsensitiveSubstringOfNameIdKindOrAnyAttribute() {
    assertThat(matches("REDIS")).containsExactly("redis-server");
    assertThat(matches("node-1")).containsExactly("nginx", "node-1");
    assertThat(matches("host")).as("kind, not attribute names").containsExactly("node-1");
    assertThat(matches("\"redis-server\"")).containsExactly("redis-server");
  }

  @Test
  void termsAreAllRequired() {
    assertThat(matches("node-1 process")).containsExactly("nginx");
  }

  @Test
  void fieldMatchesReadNameKindAndAttributes() {
    assertThat(matches("comm: redis")).containsExactly("redis-server");
    assertThat(matches("hostname:node-2")).containsExactly("redis-server");
    assertThat(matches("kind: host")).containsExactly("node-1");
    assertThat(matches("name: /^n/")).containsExactly("nginx", "node-1");
    assertThat(matches("app: web")).as("a label key as a field").containsExactly("nginx");
    assertThat(matches("nosuchfield: x")).isEmpty();
  }

  @Test
  void regularExpressionsMatchAnywhere() {
    assertThat(matches("/^redis-/")).containsExactly("redis-server");
    assertThat(matches("/NODE-[2]/")).containsExactly("redis-server");
    assertThatThrownBy(() -> SearchQuery.parse("/[unclosed/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a regular expression");
  }

  @Test
  void metricComparisonsScaleUnits() {
    assertThat(matches("cpu > 4%")).containsExactly("nginx");
    assertThat(matches("cpu<=1")).containsExactly("redis-server");
    assertThat(matches("memory < 10mb")).containsExactly("redis-server");
    assertThat(matches("memory >= 50MiB")).containsExactly("nginx");
    assertThat(matches("cpu > 0")).as("nodes without the metric never match").doesNotContain("node-1");
    assertThat(SearchQuery.parse("memory < 10mb").terms())
        .containsExactly(new SearchQuery.MetricComparison("memory", "<", 10d * 1024 * 1024));
  }

  @Test
  void labelRequirementsGoToTheViewSelectorAndTheRestStaysForNodes() {
    SearchQuery q = SearchQuery.parse("app=web tier!=cache !canary nginx");
    assertThat(q.labelSelector()).isEqualTo(Labels.Selector.parse("app=web,tier!=cache,!canary"));
    assertThat(q.nodeTerms().test(NGINX)).isTrue();
    assertThat(q.nodeTerms().test(REDIS)).isFalse();
    assertThat(matches("app=web")).containsExactly("nginx");
    assertThat(matches("!app")).containsExactly("redis-server", "node-1");
    assertThat(SearchQuery.parse("nginx").labelSelector()).isNull();
  }

  @Test
  void overlongQueriesAreRefused() {
    assertThatThrownBy(() -> SearchQuery.parse("x".repeat(SearchQuery.MAX_CHARS + 1)))
        .hasMessageContaining("limit is " + SearchQuery.MAX_CHARS);
  }

  private static List<String> matches(String query) {
    SearchQuery q = SearchQuery.parse(query);
    return ALL.stream().filter(q).map(Node::label).toList();
  }
}
