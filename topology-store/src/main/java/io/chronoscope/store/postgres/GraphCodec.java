package io.chronoscope.store.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.chronoscope.model.Json;
import io.chronoscope.topology.ChangeSet;
import io.chronoscope.topology.Edge;
import io.chronoscope.topology.Graph;
import io.chronoscope.topology.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;

/**
 * Keyframes and deltas as stored: the model's JSON shape written as Smile (binary JSON, with
 * repeated names and short values written once) and compressed with zstd, in chunks that decode in
 * parallel. Reading a keyframe is the floor of every read of the past, and with gzip JSON it was
 * most of it: zstd decompresses several times faster than gzip, and Smile skips text parsing.
 *
 * <p>Layout: byte {@link #FORMAT}, chunk count (int), then per chunk its compressed and raw
 * lengths (ints) and its bytes. Rows written before this format (gzip JSON, magic 1f 8b) are still
 * read.
 */
final class GraphCodec {
  static final byte FORMAT = 2;
  /** Elements per chunk: big enough that a chunk's overhead does not matter, small enough to share work. */
  private static final int CHUNK = 8_192;
  private static final int ZSTD_LEVEL = 3;
  private static final ObjectMapper JSON = Json.mapper();
  /** A context per thread: making one per call costs more than decompressing a small delta. */
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);
  private static final ObjectMapper SMILE = Json.smile();

  /** A graph, or a part of one, as stored: Graph itself keeps its maps private to stay immutable. */
  record GraphDocument(List<Node> nodes, List<Edge> edges) {}

  private GraphCodec() {}

  static byte[] encode(Graph graph) {
    List<GraphDocument> chunks = new ArrayList<>();
    List<Node> nodes = new ArrayList<>(graph.nodes().values());
    List<Edge> edges = new ArrayList<>(graph.edges().values());
    for (int i = 0; i < nodes.size(); i += CHUNK) {
      chunks.add(new GraphDocument(nodes.subList(i, Math.min(nodes.size(), i + CHUNK)), List.of()));
    }
    for (int i = 0; i < edges.size(); i += CHUNK) {
      chunks.add(new GraphDocument(List.of(), edges.subList(i, Math.min(edges.size(), i + CHUNK))));
    }
    if (chunks.isEmpty()) {
      chunks.add(new GraphDocument(List.of(), List.of()));
    }
    return frame(chunks.stream().map(GraphCodec::smile).toList());
  }

  static Graph decodeGraph(byte[] stored) {
    return decodeBuilder(stored).build();
  }

  /** For a reader that goes on changing the graph: saves building it twice. */
  static Graph.Builder decodeBuilder(byte[] stored) {
    if (isGzip(stored)) {
      GraphDocument doc = gunzip(stored, GraphDocument.class);
      Graph.Builder graph = Graph.builder();
      add(graph, doc);
      return graph;
    }
    List<Chunk> chunks = unframe(stored);
    List<CompletableFuture<GraphDocument>> decoding = new ArrayList<>();
    for (int i = 1; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      decoding.add(CompletableFuture.supplyAsync(() -> unsmile(chunk.bytes(), GraphDocument.class)));
    }
    Graph.Builder graph = Graph.builder();
    add(graph, unsmile(chunks.get(0).bytes(), GraphDocument.class));
    try {
      for (CompletableFuture<GraphDocument> f : decoding) {
        add(graph, f.join());
      }
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return graph;
  }

  private static void add(Graph.Builder graph, GraphDocument doc) {
    doc.nodes().forEach(graph::node);
    doc.edges().forEach(graph::edge);
  }

  static byte[] encode(ChangeSet changes) {
    return frame(List.of(smile(changes)));
  }

  static ChangeSet decodeChanges(byte[] stored) {
    if (isGzip(stored)) {
      return gunzip(stored, ChangeSet.class);
    }
    return unsmile(unframe(stored).get(0).bytes(), ChangeSet.class);
  }

  private static byte[] smile(Object value) {
    try {
      return SMILE.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each chunk compressed; the raw length is kept so decompression needs no guessing. */
  private static byte[] frame(List<byte[]> raw) {
    List<byte[]> compressed = raw.stream().map(r -> Zstd.compress(r, ZSTD_LEVEL)).toList();
    int size = 1 + 4 + compressed.stream().mapToInt(c -> 8 + c.length).sum();
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT).putInt(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      out.putInt(compressed.get(i).length).putInt(raw.get(i).length).put(compressed.get(i));
    }
    return out.array();
  }

  /** A chunk as stored; decompressed by whichever thread decodes it. */
  private record Chunk(byte[] compressed, int raw) {
    byte[] bytes() {
      try {
        return DECOMPRESS.get().decompress(compressed, raw);
      } catch (RuntimeException e) {
        throw new UncheckedIOException("stored graph cannot be read: " + e.getMessage(), new IOException(e));
      }
    }
  }

  private static List<Chunk> unframe(byte[] stored) {
    try {
      ByteBuffer in = ByteBuffer.wrap(stored);
      byte format = in.get();
      if (format != FORMAT) {
        throw new IllegalStateException("stored graph has format " + format + ", this version reads "
            + FORMAT + " and gzip JSON");
      }
      int count = in.getInt();
      List<Chunk> chunks = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int compressed = in.getInt();
        int raw = in.getInt();
        byte[] chunk = new byte[compressed];
        in.get(chunk);
        chunks.add(new Chunk(chunk, raw));
      }
      return chunks;
    } catch (RuntimeException e) {
      throw new UncheckedIOException("stored graph cannot be read: " + e.getMessage(),
          new IOException(e));
    }
  }

  private static <T> T unsmile(byte[] raw, Class<T> type) {
    try {
      return SMILE.readValue(raw, type);
    } catch (IOException e) {
      throw new UncheckedIOException("stored " + type.getSimpleName() + " cannot be read", e);
    }
  }

  private static boolean isGzip(byte[] stored) {
    return stored.length >= 2 && stored[0] == (byte) 0x1f && stored[1] == (byte) 0x8b;
  }

  private static <T> T gunzip(byte[] stored, Class<T> type) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored), 8192)) {
      return JSON.readValue(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException("stored " + type.getSimpleName() + " cannot be read", e);
    }
  }
}
