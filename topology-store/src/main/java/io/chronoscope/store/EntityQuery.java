package io.chronoscope.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to look for across time: words that must each appear (case-insensitive, anywhere) in the
 * id, the name or a label value, and {@code field:value} terms that must appear in that label
 * ({@code kind:pod} is the node kind). "payments kind:pod namespace:prod" finds the pods named or
 * labelled payments in namespace prod.
 */
public record EntityQuery(List<String> words, Map<String, String> fields) {

  public EntityQuery {
    words = List.copyOf(words);
    fields = Map.copyOf(fields);
  }

  /** Splits on white space; a term with a colon in it (not at either end) is a field term. */
  public static EntityQuery parse(String q) {
    List<String> words = new ArrayList<>();
    Map<String, String> fields = new LinkedHashMap<>();
    for (String term : q.trim().split("\\s+")) {
      if (term.isEmpty()) {
        continue;
      }
      int colon = term.indexOf(':');
      if (colon > 0 && colon < term.length() - 1) {
        fields.put(term.substring(0, colon), term.substring(colon + 1));
      } else {
        words.add(term);
      }
    }
    return new EntityQuery(words, fields);
  }

  public boolean isEmpty() {
    return words.isEmpty() && fields.isEmpty();
  }

  /** The same test the PostgreSQL backend makes in SQL. */
  public boolean matches(EntitySpan span) {
    for (Map.Entry<String, String> f : fields.entrySet()) {
      String value = "kind".equals(f.getKey()) ? span.kind() : span.labels().get(f.getKey());
      if (value == null || !contains(value, f.getValue())) {
        return false;
      }
    }
    for (String w : words) {
      if (!contains(span.id(), w) && !contains(span.name(), w)
          && span.labels().values().stream().noneMatch(v -> contains(v, w))) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(String text, String part) {
    return text != null && text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
  }
}
