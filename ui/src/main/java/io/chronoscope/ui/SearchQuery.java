package io.chronoscope.ui;

import io.chronoscope.topology.Labels;
import io.chronoscope.topology.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The explorer's search box, in Weave Scope's syntax: terms separated by spaces, all of which a
 * node must match. A term is free text ({@code nginx}, {@code "two words"}), a field match
 * ({@code comm: java}, {@code hostname: /node-[12]/}), a regular expression ({@code /^redis/}), a
 * metric comparison ({@code cpu > 4%}, {@code memory < 10mb}) or a label requirement as in
 * {@code kubectl -l} ({@code app=api}, {@code tier!=cache}, {@code !canary}).
 */
record SearchQuery(String text, List<Term> terms) implements Predicate<Node> {
  static final SearchQuery EMPTY = new SearchQuery("", List.of());
  static final int MAX_CHARS = 1024;

  /** Metric names and the node attributes that may carry them, first present wins. */
  private static final Map<String, List<String>> METRIC_ATTRS = Map.of(
      "cpu", List.of("cpu", "cpuPercent", "cpu_percent"),
      "memory", List.of("memory", "memoryBytes", "rss", "rssBytes"),
      "mem", List.of("memory", "memoryBytes", "rss", "rssBytes"),
      "threads", List.of("threads"),
      "fds", List.of("fds", "openFds"),
      "connections", List.of("connections"));

  private static final Pattern TOKEN = Pattern.compile(String.join("|",
      // metric comparison: name op number unit
      "(?<metric>[A-Za-z][\\w.]*)\\s*(?<op><=|>=|<|>)\\s*(?<num>-?\\d+(?:\\.\\d+)?)\\s*(?<unit>%|[kKmMgGtT]?i?[bB])?(?=\\s|$)",
      // field: value, the value quoted, a /regex/ or a word
      "(?<field>[A-Za-z][\\w./-]*)\\s*:\\s*(?:/(?<fre>(?:\\\\/|[^/])+)/|\"(?<fq>[^\"]*)\"|(?<fv>\\S+))",
      // a label requirement
      "(?<lkey>[A-Za-z0-9][\\w./-]*)\\s*(?<lop>!=|==|=)\\s*(?<lval>[\\w./-]*)(?=\\s|$)",
      "!(?<absent>[A-Za-z0-9][\\w./-]*)(?=\\s|$)",
      // a regular expression
      "/(?<re>(?:\\\\/|[^/])+)/",
      "\"(?<quoted>[^\"]*)\"",
      "(?<word>\\S+)"));

  /** One condition of a query. */
  sealed interface Term extends Predicate<Node> {}

  /** Case-insensitive substring of the id, label, kind or any attribute value. */
  record FreeText(String text) implements Term {
    @Override
    public boolean test(Node n) {
      String needle = text.toLowerCase(Locale.ROOT);
      return contains(n.id(), needle) || contains(n.label(), needle) || contains(n.kind(), needle)
          || n.attrs().values().stream().anyMatch(v -> contains(String.valueOf(v), needle));
    }
  }

  /** A pattern found anywhere in the id, label, kind or an attribute value. */
  record Regex(Pattern pattern) implements Term {
    @Override
    public boolean test(Node n) {
      return find(pattern, n.id()) || find(pattern, n.label()) || find(pattern, n.kind())
          || n.attrs().values().stream().anyMatch(v -> find(pattern, String.valueOf(v)));
    }
  }

  /** A field ({@code name}, {@code id}, {@code kind}, an attribute or a label key) matching text or a pattern. */
  record FieldMatch(String field, String text, Pattern pattern) implements Term {
    @Override
    public boolean test(Node n) {
      String value = fieldValue(n, field);
      if (value == null) {
        return false;
      }
      return pattern != null ? find(pattern, value) : contains(value, text.toLowerCase(Locale.ROOT));
    }
  }

  /** A numeric attribute compared with a bound, already scaled to the attribute's unit. */
  record MetricComparison(String metric, String operator, double bound) implements Term {
    @Override
    public boolean test(Node n) {
      Double value = metricValue(n, metric);
      if (value == null) {
        return false;
      }
      return switch (operator) {
        case "<" -> value < bound;
        case "<=" -> value <= bound;
        case ">" -> value > bound;
        default -> value >= bound;
      };
    }
  }

  /** A label requirement, matched against the node's own labels. */
  record LabelMatch(Labels.Selector selector) implements Term {
    @Override
    public boolean test(Node n) {
      return selector.matches(Labels.of(n));
    }
  }

  /** Parses {@code text}; a blank one matches every node. */
  static SearchQuery parse(String text) {
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException("the search is " + text.length() + " characters long; the limit is "
          + MAX_CHARS);
    }
    List<Term> terms = new ArrayList<>();
    Matcher m = TOKEN.matcher(text.trim());
    while (m.find()) {
      terms.add(term(m));
    }
    return new SearchQuery(text.trim(), List.copyOf(terms));
  }

  private static Term term(Matcher m) {
    if (m.group("metric") != null) {
      return new MetricComparison(m.group("metric").toLowerCase(Locale.ROOT), m.group("op"),
          Double.parseDouble(m.group("num")) * scale(m.group("unit")));
    }
    if (m.group("field") != null) {
      String field = m.group("field");
      if (m.group("fre") != null) {
        return new FieldMatch(field, null, regex(m.group("fre")));
      }
      return new FieldMatch(field, m.group("fq") != null ? m.group("fq") : m.group("fv"), null);
    }
    if (m.group("lkey") != null) {
      String op = "==".equals(m.group("lop")) ? "=" : m.group("lop");
      return new LabelMatch(Labels.Selector.parse(m.group("lkey") + op + m.group("lval")));
    }
    if (m.group("absent") != null) {
      return new LabelMatch(Labels.Selector.parse("!" + m.group("absent")));
    }
    if (m.group("re") != null) {
      return new Regex(regex(m.group("re")));
    }
    return new FreeText(m.group("quoted") != null ? m.group("quoted") : m.group("word"));
  }

  private static Pattern regex(String source) {
    try {
      return Pattern.compile(source.replace("\\/", "/"), Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("/" + source + "/ is not a regular expression: " + e.getDescription());
    }
  }

  /** Percentages stay percent; sizes become bytes (k, m, g, t as powers of 1024, as top does). */
  private static double scale(String unit) {
    if (unit == null || unit.equals("%")) {
      return 1;
    }
    return switch (Character.toLowerCase(unit.charAt(0))) {
      case 'k' -> 1024d;
      case 'm' -> 1024d * 1024;
      case 'g' -> 1024d * 1024 * 1024;
      case 't' -> 1024d * 1024 * 1024 * 1024;
      default -> 1;
    };
  }

  @Override
  public boolean test(Node n) {
    for (Term t : terms) {
      if (!t.test(n)) {
        return false;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return terms.isEmpty();
  }

  /**
   * The label requirements as one selector, for the view's own filter: that one also reads the
   * labels of a process's container and pod, which a node alone does not carry. Null when none.
   */
  Labels.Selector labelSelector() {
    List<Labels.Requirement> requirements = new ArrayList<>();
    for (Term t : terms) {
      if (t instanceof LabelMatch l) {
        requirements.addAll(l.selector().requirements());
      }
    }
    return requirements.isEmpty() ? null : new Labels.Selector(requirements);
  }

  /** The metrics the comparisons name, as the metric store calls them. */
  java.util.Set<String> metricNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (Term t : terms) {
      if (t instanceof MetricComparison m) {
        names.add(m.metric().equals("mem") ? "memory" : m.metric());
      }
    }
    return names;
  }

  /** The terms the view's filter does not cover, matched against each rendered node. */
  Predicate<Node> nodeTerms() {
    List<Term> rest = terms.stream().filter(t -> !(t instanceof LabelMatch)).toList();
    return n -> rest.stream().allMatch(t -> t.test(n));
  }

  private static String fieldValue(Node n, String field) {
    switch (field.toLowerCase(Locale.ROOT)) {
      case "name", "label" -> {
        return n.label();
      }
      case "id" -> {
        return n.id();
      }
      case "kind", "type" -> {
        return n.kind();
      }
      default -> {
        Object v = n.attrs().get(field);
        if (v == null) {
          v = n.attrs().get(Labels.ATTR_PREFIX + field);
        }
        return v == null ? null : String.valueOf(v);
      }
    }
  }

  private static Double metricValue(Node n, String metric) {
    for (String attr : METRIC_ATTRS.getOrDefault(metric, List.of(metric))) {
      if (n.attrs().get(attr) instanceof Number num) {
        return num.doubleValue();
      }
    }
    return null;
  }

  private static boolean contains(String haystack, String lowerNeedle) {
    return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(lowerNeedle);
  }

  private static boolean find(Pattern p, String s) {
    return s != null && p.matcher(s).find();
  }
}
