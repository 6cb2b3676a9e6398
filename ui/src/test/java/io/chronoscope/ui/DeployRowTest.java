package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Json;
import io.chronoscope.store.TimelineEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deploys page reads issue 5's event model and, without it, timeline events. */
class DeployRowTest {
  @Test
  void readsTheDeployEventModel() throws Exception {
    String body = """
        {"deploys": [{"id": "d-1", "source": {"system": "github", "deliveryId": "x", "receivedAt": 1, "signatureVerified": true},
          "kind": "deploy", "phase": "succeeded", "at": 1700000000000, "startedAt": 1700000001000,
          "target": {"cluster": "prod", "namespace": "shop", "workloadKind": "deployment", "workload": "api"},
          "version": "1.4.3", "previousVersion": "1.4.2", "commit": "abc123", "repo": "https://github.com/acme/api",
          "links": {"pipelineUrl": "https://ci.example/run/7", "runUrl": null, "logUrl": null},
          "initiator": "alice", "verdict": {"status": "suspect", "reasons": ["cpu"], "rollback": "kubectl rollout undo", "judgedAt": 2}}]}
        """;

    List<DeployRow> rows = DeployRow.parse(Json.mapper().readTree(body));

    assertThat(rows).containsExactly(new DeployRow("d-1", 1700000001000L, "github", "prod/shop/deployment/api",
        "1.4.2 → 1.4.3", "abc123", "https://github.com/acme/api/commit/abc123", "https://ci.example/run/7",
        "alice", "succeeded", "suspect"));
  }

  @Test
  void readsABareArrayAndSkipsWhatIsNotAList() throws Exception {
    assertThat(DeployRow.parse(Json.mapper().readTree("[{\"id\": \"a\", \"at\": \"2026-01-01T00:00:00Z\"}]")))
        .extracting(DeployRow::at).containsExactly(1767225600000L);
    assertThat(DeployRow.parse(Json.mapper().readTree("{\"status\": 404}"))).isEmpty();
  }

  @Test
  void fallsBackToTimelineEvents() {
    DeployRow r = DeployRow.of(new TimelineEvent("e", 5, "deploy", "failed", "prod/shop/api", "api 2.0", "failed"));
    assertThat(r.target()).isEqualTo("prod/shop/api");
    assertThat(r.verdict()).isEqualTo("failed");
    assertThat(DeploysView.diffLink(600_000)).isEqualTo("?at=1970-01-01T00:05:00Z&cmp=1970-01-01T00:15:00Z");
  }
}
