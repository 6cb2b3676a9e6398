package io.chronoscope.topology;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable topology graph: nodes by id and edges by {@link Edge#key()}, both iterated in key
 * order.
 *
 * <p>The maps are persistent search trees: a graph made from another by a few changes shares
 * everything else with it, so applying one tick's changes to a world of a million nodes costs
 * what the changes cost, not a copy of the world (the collector, and every store's head, do that
 * once a tick).
 */
public final class Graph {
  public static final Graph EMPTY = new Graph(null, null);

  private final SortedTree.View<Node> nodes;
  private final SortedTree.View<Edge> edges;

  private Graph(SortedTree<Node> nodes, SortedTree<Edge> edges) {
    this.nodes = new SortedTree.View<>(nodes);
    this.edges = new SortedTree.View<>(edges);
  }

  public static Graph of(Collection<Node> nodes, Collection<Edge> edges) {
    Builder b = builder();
    nodes.forEach(b::node);
    edges.forEach(b::edge);
    return b.build();
  }

  public static Builder builder() {
    return new Builder(null, null);
  }

  /** A builder that starts from this graph; costs nothing until it is changed. */
  public Builder toBuilder() {
    return new Builder(nodes.root, edges.root);
  }

  /** Read-only, in id order. */
  public Map<String, Node> nodes() {
    return nodes;
  }

  /** Read-only, in key order. */
  public Map<String, Edge> edges() {
    return edges;
  }

  public Node node(String id) {
    return nodes.get(id);
  }

  public boolean isEmpty() {
    return nodes.isEmpty() && edges.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Graph g && nodes.equals(g.nodes) && edges.equals(g.edges);
  }

  @Override
  public int hashCode() {
    return nodes.hashCode() * 31 + edges.hashCode();
  }

  @Override
  public String toString() {
    return "Graph[" + nodes.size() + " nodes, " + edges.size() + " edges]";
  }

  /** Mutable builder; the only place a graph is assembled. */
  public static final class Builder {
    private final Overlay<Node> nodes;
    private final Overlay<Edge> edges;

    private Builder(SortedTree<Node> nodes, SortedTree<Edge> edges) {
      this.nodes = new Overlay<>(nodes);
      this.edges = new Overlay<>(edges);
    }

    public Builder node(Node n) {
      nodes.put(n.id(), n);
      return this;
    }

    public Builder removeNode(String id) {
      nodes.remove(id);
      return this;
    }

    public Builder edge(Edge e) {
      edges.put(e.key(), e);
      return this;
    }

    public Builder removeEdge(String key) {
      edges.remove(key);
      return this;
    }

    public boolean hasNode(String id) {
      return nodes.contains(id);
    }

    /** The builder stays usable: later changes do not reach the graph built. */
    public Graph build() {
      return new Graph(nodes.fold(), edges.fold());
    }
  }

  /**
   * Changes waiting to be folded into a tree. Kept aside, not put into the tree one by one, so
   * building a large graph from scratch costs one pass instead of a path copy per entry; in a
   * hash map plus the order keys came in, not a sorted map, because they mostly come in order
   * already (a keyframe is stored sorted), which the one sort at the end detects in linear time,
   * while a red-black tree pays a rebalancing insert for each of them.
   */
  private static final class Overlay<V> {
    private static final Object REMOVED = new Object();
    private SortedTree<V> base;
    private final HashMap<String, Object> pending = new HashMap<>();
    private final ArrayList<String> order = new ArrayList<>();

    Overlay(SortedTree<V> base) {
      this.base = base;
    }

    void put(String key, V value) {
      stage(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    void remove(String key) {
      if (key != null) {
        stage(key, REMOVED);
      }
    }

    private void stage(String key, Object value) {
      if (pending.put(key, value) == null) {
        order.add(key);
      }
    }

    boolean contains(String key) {
      Object p = pending.get(key);
      if (p != null) {
        return p != REMOVED;
      }
      return SortedTree.get(base, key) != null;
    }

    @SuppressWarnings("unchecked")
    SortedTree<V> fold() {
      if (pending.isEmpty()) {
        return base;
      }
      int baseSize = SortedTree.size(base);
      if (pending.size() * 8L < baseSize) {
        // A few changes to a large tree: path copies share the rest.
        for (String key : order) {
          Object value = pending.get(key);
          base = value == REMOVED ? SortedTree.remove(base, key) : SortedTree.put(base, key, (V) value);
        }
      } else {
        order.sort(null);
        base = SortedTree.merge(base, order, pending, REMOVED);
      }
      pending.clear();
      order.clear();
      return base;
    }
  }

  /**
   * A persistent weight-balanced binary search tree (Adams; the balance rules of Haskell's
   * Data.Map), keyed by string. Each tree node is also its own map entry. {@code null} is the
   * empty tree.
   */
  static final class SortedTree<V> implements Map.Entry<String, V> {
    private static final int DELTA = 3;
    private static final int RATIO = 2;

    final String key;
    final V value;
    final SortedTree<V> left;
    final SortedTree<V> right;
    final int size;

    private SortedTree(String key, V value, SortedTree<V> left, SortedTree<V> right) {
      this.key = key;
      this.value = value;
      this.left = left;
      this.right = right;
      this.size = size(left) + size(right) + 1;
    }

    static int size(SortedTree<?> t) {
      return t == null ? 0 : t.size;
    }

    static <V> V get(SortedTree<V> t, Object key) {
      if (!(key instanceof String k)) {
        return null;
      }
      while (t != null) {
        int c = k.compareTo(t.key);
        if (c == 0) {
          return t.value;
        }
        t = c < 0 ? t.left : t.right;
      }
      return null;
    }

    static <V> SortedTree<V> put(SortedTree<V> t, String key, V value) {
      if (t == null) {
        return new SortedTree<>(key, value, null, null);
      }
      int c = key.compareTo(t.key);
      if (c == 0) {
        return t.value == value ? t : new SortedTree<>(key, value, t.left, t.right);
      }
      if (c < 0) {
        SortedTree<V> l = put(t.left, key, value);
        return l == t.left ? t : balance(t.key, t.value, l, t.right);
      }
      SortedTree<V> r = put(t.right, key, value);
      return r == t.right ? t : balance(t.key, t.value, t.left, r);
    }

    static <V> SortedTree<V> remove(SortedTree<V> t, String key) {
      if (t == null) {
        return null;
      }
      int c = key.compareTo(t.key);
      if (c < 0) {
        SortedTree<V> l = remove(t.left, key);
        return l == t.left ? t : balance(t.key, t.value, l, t.right);
      }
      if (c > 0) {
        SortedTree<V> r = remove(t.right, key);
        return r == t.right ? t : balance(t.key, t.value, t.left, r);
      }
      return glue(t.left, t.right);
    }

    /** Both trees at once, with every key of {@code l} below every key of {@code r}. */
    private static <V> SortedTree<V> glue(SortedTree<V> l, SortedTree<V> r) {
      if (l == null) {
        return r;
      }
      if (r == null) {
        return l;
      }
      if (l.size > r.size) {
        SortedTree<V> max = l;
        while (max.right != null) {
          max = max.right;
        }
        return balance(max.key, max.value, removeMax(l), r);
      }
      SortedTree<V> min = r;
      while (min.left != null) {
        min = min.left;
      }
      return balance(min.key, min.value, l, removeMin(r));
    }

    private static <V> SortedTree<V> removeMin(SortedTree<V> t) {
      return t.left == null ? t.right : balance(t.key, t.value, removeMin(t.left), t.right);
    }

    private static <V> SortedTree<V> removeMax(SortedTree<V> t) {
      return t.right == null ? t.left : balance(t.key, t.value, t.left, removeMax(t.right));
    }

    private static <V> SortedTree<V> balance(String k, V v, SortedTree<V> l, SortedTree<V> r) {
      int ls = size(l);
      int rs = size(r);
      if (ls + rs <= 1) {
        return new SortedTree<>(k, v, l, r);
      }
      if (rs > DELTA * ls) {
        return size(r.left) < RATIO * size(r.right) ? rotateLeft(k, v, l, r) : doubleLeft(k, v, l, r);
      }
      if (ls > DELTA * rs) {
        return size(l.right) < RATIO * size(l.left) ? rotateRight(k, v, l, r) : doubleRight(k, v, l, r);
      }
      return new SortedTree<>(k, v, l, r);
    }

    private static <V> SortedTree<V> rotateLeft(String k, V v, SortedTree<V> l, SortedTree<V> r) {
      return new SortedTree<>(r.key, r.value, new SortedTree<>(k, v, l, r.left), r.right);
    }

    private static <V> SortedTree<V> rotateRight(String k, V v, SortedTree<V> l, SortedTree<V> r) {
      return new SortedTree<>(l.key, l.value, l.left, new SortedTree<>(k, v, l.right, r));
    }

    private static <V> SortedTree<V> doubleLeft(String k, V v, SortedTree<V> l, SortedTree<V> r) {
      SortedTree<V> rl = r.left;
      return new SortedTree<>(rl.key, rl.value, new SortedTree<>(k, v, l, rl.left),
          new SortedTree<>(r.key, r.value, rl.right, r.right));
    }

    private static <V> SortedTree<V> doubleRight(String k, V v, SortedTree<V> l, SortedTree<V> r) {
      SortedTree<V> lr = l.right;
      return new SortedTree<>(lr.key, lr.value, new SortedTree<>(l.key, l.value, l.left, lr.left),
          new SortedTree<>(k, v, lr.right, r));
    }

    /** The tree with {@code changes} (values, or {@code removed}) applied, built anew in one pass. */
    @SuppressWarnings("unchecked")
    /** @param keys the changed keys, sorted, each once; {@code changes} holds each one's new value */
    static <V> SortedTree<V> merge(SortedTree<V> base, List<String> keys, Map<String, Object> changes, Object removed) {
      List<SortedTree<V>> merged = new ArrayList<>(size(base) + keys.size());
      Iterator<SortedTree<V>> old = new InOrder<>(base);
      SortedTree<V> o = old.hasNext() ? old.next() : null;
      int i = 0;
      String n = i < keys.size() ? keys.get(i) : null;
      while (o != null || n != null) {
        int c = o == null ? 1 : n == null ? -1 : o.key.compareTo(n);
        if (c < 0) {
          merged.add(o);
          o = old.hasNext() ? old.next() : null;
          continue;
        }
        Object value = changes.get(n);
        if (value != removed) {
          merged.add(c == 0 && o.value == value ? o : new SortedTree<>(n, (V) value, null, null));
        }
        if (c == 0) {
          o = old.hasNext() ? old.next() : null;
        }
        i++;
        n = i < keys.size() ? keys.get(i) : null;
      }
      return fromSorted(merged, 0, merged.size());
    }

    private static <V> SortedTree<V> fromSorted(List<SortedTree<V>> sorted, int from, int to) {
      if (from >= to) {
        return null;
      }
      int mid = (from + to) >>> 1;
      SortedTree<V> m = sorted.get(mid);
      SortedTree<V> l = fromSorted(sorted, from, mid);
      SortedTree<V> r = fromSorted(sorted, mid + 1, to);
      return m.left == l && m.right == r ? m : new SortedTree<>(m.key, m.value, l, r);
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V v) {
      throw new UnsupportedOperationException("a graph is immutable");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && Objects.equals(value, e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ Objects.hashCode(value);
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }

    /** Entries in key order. */
    static final class InOrder<V> implements Iterator<SortedTree<V>> {
      private final ArrayDeque<SortedTree<V>> path = new ArrayDeque<>();

      InOrder(SortedTree<V> root) {
        descend(root);
      }

      private void descend(SortedTree<V> t) {
        for (; t != null; t = t.left) {
          path.push(t);
        }
      }

      @Override
      public boolean hasNext() {
        return !path.isEmpty();
      }

      @Override
      public SortedTree<V> next() {
        if (path.isEmpty()) {
          throw new NoSuchElementException();
        }
        SortedTree<V> t = path.pop();
        descend(t.right);
        return t;
      }
    }

    /** A tree as a read-only map. */
    static final class View<V> extends AbstractMap<String, V> {
      final SortedTree<V> root;
      private Set<Map.Entry<String, V>> entries;

      View(SortedTree<V> root) {
        this.root = root;
      }

      @Override
      public int size() {
        return SortedTree.size(root);
      }

      @Override
      public boolean isEmpty() {
        return root == null;
      }

      @Override
      public V get(Object key) {
        return SortedTree.get(root, key);
      }

      @Override
      public boolean containsKey(Object key) {
        return SortedTree.get(root, key) != null;
      }

      @Override
      public Set<Map.Entry<String, V>> entrySet() {
        if (entries == null) {
          entries = new AbstractSet<>() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Iterator<Map.Entry<String, V>> iterator() {
              return (Iterator) new InOrder<>(root);
            }

            @Override
            public int size() {
              return SortedTree.size(root);
            }
          };
        }
        return entries;
      }

      /** Two trees side by side in key order: linear, and what both share is not compared at all. */
      @Override
      public boolean equals(Object o) {
        if (!(o instanceof View<?> other)) {
          return super.equals(o);
        }
        if (root == other.root) {
          return true;
        }
        if (size() != other.size()) {
          return false;
        }
        Iterator<? extends SortedTree<?>> a = new InOrder<>(root);
        Iterator<? extends SortedTree<?>> b = new InOrder<>(other.root);
        while (a.hasNext()) {
          SortedTree<?> x = a.next();
          SortedTree<?> y = b.next();
          if (x != y && !(x.key.equals(y.key) && Objects.equals(x.value, y.value))) {
            return false;
          }
        }
        return true;
      }

      @Override
      public int hashCode() {
        return super.hashCode();
      }
    }
  }
}
