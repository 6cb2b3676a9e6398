package io.chronoscope.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Json;
import io.chronoscope.store.ChurningWorld;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Graph;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GraphCodecTest {

  @Test
  void aGraphLargerThanOneChunkComesBackEqual() {
    Graph g = new ChurningWorld(1, 12_000, 0.01, 1).graph();

    byte[] stored = GraphCodec.encode(g);

    assertThat(stored[0]).isEqualTo(GraphCodec.FORMAT);
    assertThat(GraphCodec.decodeGraph(stored)).isEqualTo(g);
    assertThat(GraphCodec.decodeGraph(GraphCodec.encode(Graph.EMPTY))).isEqualTo(Graph.EMPTY);
  }

  @Test
  void changeSetsComeBackEqual() {
    ChurningWorld world = new ChurningWorld(2, 50, 0.2, 2);
    ChangeSet c = world.tick(1_000);

    assertThat(GraphCodec.decodeChanges(GraphCodec.encode(c))).isEqualTo(c);
  }

  /** Rows written by the first release of the store (gzip JSON) stay readable after an upgrade. */
  @Test
  void gzipJsonRowsFromBeforeAreStillRead() throws Exception {
    ChurningWorld world = new ChurningWorld(3, 40, 0.2, 2);
    Graph g = world.graph();
    ChangeSet c = world.tick(2_000);

    assertThat(GraphCodec.decodeGraph(gzipJson(new GraphCodec.GraphDocument(
        new ArrayList<>(g.nodes().values()), new ArrayList<>(g.edges().values()))))).isEqualTo(g);
    assertThat(GraphCodec.decodeChanges(gzipJson(c))).isEqualTo(c);
  }

  @Test
  void damagedRowsSaySoInsteadOfDecodingGarbage() {
    byte[] stored = GraphCodec.encode(new ChurningWorld(4, 30, 0.2, 1).graph());
    stored[stored.length - 3] ^= 0x5a;

    assertThatThrownBy(() -> GraphCodec.decodeGraph(stored)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> GraphCodec.decodeChanges("not a delta".getBytes()))
        .hasMessageContaining("cannot be read");
  }

  private static byte[] gzipJson(Object value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      Json.mapper().writeValue(out, value);
    }
    return bytes.toByteArray();
  }
}
