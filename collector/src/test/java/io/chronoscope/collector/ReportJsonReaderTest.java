package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.Json;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import io.chronoscope.model.ReportWire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader is only a faster way to the same {@link Report} data binding makes: every
 * field read as data binding reads it, and whatever it does not take left to data binding, which
 * accepts or refuses it exactly as before.
 */
class ReportJsonReaderTest {
  private static final Report FULL = new Report("host-1", "probe-1", 42, 1_790_000_000_000L, 3000,
      new HostInfo("node-1", "6.1.0", "Debian", List.of("10.0.0.1", "127.0.0.1"), 8, 1L << 34, 1.25,
          List.of(new HostInfo.NetInterface("eth0", "02:42:0a:00:00:01", List.of("10.0.0.1"), true),
              new HostInfo.NetInterface("lo", "00:00:00:00:00:00", List.of("127.0.0.1"), false)),
          1L << 33, 12.5, 0.75, 0.5, 1_789_000_000_000L),
      List.of(new ProcessInfo(10, 1, 123_456, 1_789_500_000_000L, "java", "java -jar app.jar \"quoted\" \u00e9",
              "app", 3.5, 1L << 28, 42, 17, "/kubepods/pod1/abc", 4026532001L, "abc", null, null),
          new ProcessInfo(11, 10, 123_999, 1_789_500_001_000L, "sh", "sh -c exit", "root", 0, 0, 1, 3,
              null, null, null, 1_790_000_000_500L, 1)),
      List.of(new Connection("tcp", "10.0.0.1", 8080, "0.0.0.0", 0, Connection.LISTEN, 10, 991,
              "sock_diag", 4026532001L, null, null, null, null, null, null),
          new Connection("tcp", "10.0.0.1", 41000, "10.0.0.2", 5432, "ESTABLISHED", null, 0, "conntrack",
              null, 1_000_000_000_000L, 7L, 250L, 2L, 1_789_999_999_000L, 1_790_000_000_100L)),
      List.of(new ContainerInfo("abc", "docker", "k8s_api", "api:1", Map.of("app", "api", "io.kubernetes.pod.uid", "u1"),
          "running", 10, List.of("10.64.0.5"), List.of(new ContainerInfo.PortMapping("tcp", "0.0.0.0", 8080, 80)),
          "u1", "api-7d9f", "shop", 1.5, 1L << 27)),
      List.of(new NatFlow("tcp", new NatFlow.Tuple("10.0.0.1", 41000, "10.96.0.10", 80),
          new NatFlow.Tuple("10.64.0.5", 80, "10.0.0.1", 41000), "ESTABLISHED", 4026531840L)));

  @Test
  void readsEveryFieldAsDataBindingDoes() throws Exception {
    byte[] json = Json.mapper().writeValueAsBytes(FULL);
    Report bound = Json.mapper().readValue(json, Report.class);
    assertThat(bound).isEqualTo(FULL);
    assertThat(ReportJsonReader.read(json)).isEqualTo(bound);
    assertThat(ReportDecoder.decode(json)).isEqualTo(FULL);
  }

  @Test
  void readsSmileAsItReadsJson() throws Exception {
    byte[] smile = ReportWire.SMILE.encode(FULL);
    assertThat(ReportWire.of(smile)).isEqualTo(ReportWire.SMILE);
    assertThat(ReportWire.of(Json.mapper().writeValueAsBytes(FULL))).isEqualTo(ReportWire.JSON);
    assertThat(ReportJsonReader.read(ReportWire.SMILE.factory(), smile)).isEqualTo(FULL);
    assertThat(ReportDecoder.decode(smile)).isEqualTo(FULL);
    assertThat(smile.length).as("Smile is smaller than JSON").isLessThan(Json.mapper().writeValueAsBytes(FULL).length);
  }

  @Test
  void refusesABadSmileReportNamingTheField() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode tree = Json.mapper().valueToTree(FULL);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("processes").get(1)).put("pid", "five");
    byte[] smile = ReportWire.SMILE.mapper().writeValueAsBytes(tree);
    assertThatThrownBy(() -> ReportDecoder.decode(smile))
        .isInstanceOf(InvalidReportException.class)
        .satisfies(e -> assertThat(((InvalidReportException) e).field()).isEqualTo("processes[1].pid"));
    byte[] truncated = java.util.Arrays.copyOf(ReportWire.SMILE.encode(FULL), 40);
    assertThatThrownBy(() -> ReportDecoder.decode(truncated)).isInstanceOf(InvalidReportException.class);
  }

  @Test
  void readsMinimalReportsAndSkipsUnknownFields() throws Exception {
    String json = "{\"hostId\":\"h\",\"probeId\":\"p\",\"seq\":1,\"timestamp\":2,\"intervalMs\":1000,"
        + "\"future\":{\"nested\":[1,{\"x\":null}]},\"processes\":[{\"pid\":5,\"comm\":\"a\",\"extra\":[true]}],"
        + "\"connections\":null,\"host\":null}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(ReportJsonReader.read(bytes)).isEqualTo(Json.mapper().readValue(bytes, Report.class));
  }

  @Test
  void leavesWhatItDoesNotTakeToDataBinding() throws Exception {
    for (String json : List.of(
        // a number as a string, a float for an int, a duplicate field: data binding takes them
        "{\"hostId\":\"h\",\"probeId\":\"p\",\"seq\":\"7\",\"intervalMs\":1000,\"processes\":[{\"pid\":\"5\"}]}",
        "{\"hostId\":\"h\",\"probeId\":\"p\",\"seq\":7.0,\"intervalMs\":1000,\"processes\":[{\"pid\":5.0}]}",
        "{\"hostId\":\"h\",\"hostId\":\"g\",\"probeId\":\"p\",\"intervalMs\":1000}")) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> ReportJsonReader.read(bytes)).as(json).isInstanceOf(ReportJsonReader.NotCanonical.class);
      assertThat(ReportDecoder.decode(bytes)).as(json).isEqualTo(Json.mapper().readValue(bytes, Report.class));
    }
  }

  @Test
  void refusesBadReportsNamingTheFieldAsBefore() {
    assertThatThrownBy(() -> ReportDecoder.decode(
        "{\"hostId\":\"h\",\"processes\":[{\"pid\":\"five\"}]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidReportException.class)
        .satisfies(e -> assertThat(((InvalidReportException) e).field()).isEqualTo("processes[0].pid"));
    assertThatThrownBy(() -> ReportDecoder.decode(
        "{\"hostId\":\"h\",\"seq\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidReportException.class)
        .satisfies(e -> assertThat(((InvalidReportException) e).field()).isEqualTo("seq"));
  }
}
