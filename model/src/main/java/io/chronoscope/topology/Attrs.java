package io.chronoscope.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The attributes of a node or edge: immutable, in key order, as two arrays. Graphs hold hundreds
 * of thousands of these and reading the past decodes ten thousand per keyframe; a
 * {@code TreeMap} per node cost a red-black tree insert per attribute on every decode (a third of
 * a state read's CPU) and an entry object per attribute for good. An {@code Attrs} given to a
 * node or edge is taken as is, so copying a node with its attributes copies nothing.
 */
final class Attrs extends AbstractMap<String, Object> {
  static final Attrs EMPTY = new Attrs(new String[0], new Object[0]);

  private final String[] keys;
  private final Object[] values;

  private Attrs(String[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  /**
   * Non-null values only, integral numbers widened to long and floats to double, so that a
   * decoded graph equals the one encoded.
   */
  static Map<String, Object> of(Map<String, Object> attrs) {
    if (attrs instanceof Attrs a) {
      return a;
    }
    if (attrs == null || attrs.isEmpty()) {
      return EMPTY;
    }
    String[] keys = new String[attrs.size()];
    Object[] values = new Object[attrs.size()];
    int n = 0;
    boolean sorted = true;
    for (Map.Entry<String, Object> e : attrs.entrySet()) {
      Object v = widen(e.getValue());
      if (v == null) {
        continue;
      }
      keys[n] = e.getKey();
      values[n] = v;
      if (n > 0 && keys[n - 1].compareTo(keys[n]) >= 0) {
        sorted = false;
      }
      n++;
    }
    return make(keys, values, n, sorted);
  }

  /** @param sorted the first n keys are strictly increasing already */
  private static Attrs make(String[] keys, Object[] values, int n, boolean sorted) {
    if (n == 0) {
      return EMPTY;
    }
    if (!sorted) {
      // Few attributes per node: a (stable) insertion sort of both arrays together is all it takes.
      for (int i = 1; i < n; i++) {
        String k = keys[i];
        Object v = values[i];
        int j = i - 1;
        while (j >= 0 && keys[j].compareTo(k) > 0) {
          keys[j + 1] = keys[j];
          values[j + 1] = values[j];
          j--;
        }
        keys[j + 1] = k;
        values[j + 1] = v;
      }
      // A key given twice (JSON allows it): the last value wins, as in a map.
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (kept > 0 && keys[kept - 1].equals(keys[i])) {
          values[kept - 1] = values[i];
        } else {
          keys[kept] = keys[i];
          values[kept] = values[i];
          kept++;
        }
      }
      n = kept;
    }
    if (n < keys.length) {
      keys = Arrays.copyOf(keys, n);
      values = Arrays.copyOf(values, n);
    }
    return new Attrs(keys, values);
  }

  private static Object widen(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return ((Number) v).doubleValue();
    }
    return v;
  }

  private int indexOf(Object key) {
    if (!(key instanceof String k)) {
      return -1;
    }
    int lo = 0;
    int hi = keys.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = keys[mid].compareTo(k);
      if (c == 0) {
        return mid;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  @Override
  public Object get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean isEmpty() {
    return keys.length == 0;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Object> action) {
    for (int i = 0; i < keys.length; i++) {
      action.accept(keys[i], values[i]);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (o instanceof Attrs a) {
      return Arrays.equals(keys, a.keys) && Arrays.equals(values, a.values);
    }
    return super.equals(o);
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < keys.length; i++) {
      h += keys[i].hashCode() ^ values[i].hashCode();
    }
    return h;
  }

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < keys.length;
          }

          @Override
          public Map.Entry<String, Object> next() {
            if (i >= keys.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<String, Object> e = new SimpleImmutableEntry<>(keys[i], values[i]);
            i++;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return keys.length;
      }
    };
  }

  /**
   * Reads an attribute object straight into arrays: data binding would build a
   * {@code LinkedHashMap} first, only for it to be copied.
   */
  static final class Deserializer extends JsonDeserializer<Map<String, Object>> {
    @Override
    public Map<String, Object> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.START_OBJECT) {
        t = p.nextToken();
      }
      String[] keys = new String[12];
      Object[] values = new Object[12];
      int n = 0;
      boolean sorted = true;
      for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String key = p.currentName();
        Object value = switch (p.nextToken()) {
          case VALUE_STRING -> p.getText();
          case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? p.getBigIntegerValue() : (Object) p.getLongValue();
          case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
          case VALUE_TRUE -> Boolean.TRUE;
          case VALUE_FALSE -> Boolean.FALSE;
          case VALUE_NULL -> null;
          default -> ctxt.readValue(p, Object.class);
        };
        if (value == null) {
          continue;
        }
        if (n == keys.length) {
          keys = Arrays.copyOf(keys, n * 2);
          values = Arrays.copyOf(values, n * 2);
        }
        if (n > 0 && keys[n - 1].compareTo(key) >= 0) {
          sorted = false;
        }
        keys[n] = key;
        values[n] = value;
        n++;
      }
      if (t != JsonToken.END_OBJECT) {
        ctxt.reportWrongTokenException(this, JsonToken.END_OBJECT, "attributes must be an object");
      }
      return make(keys, values, n, sorted);
    }

    @Override
    public Map<String, Object> getNullValue(DeserializationContext ctxt) {
      return EMPTY;
    }
  }
}
