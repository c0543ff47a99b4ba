package ai.dynamo.deploy.ir;

import static ai.dynamo.deploy.ir.Fields.child;
import static ai.dynamo.deploy.ir.Fields.describe;
import static ai.dynamo.deploy.ir.Fields.isInt;
import static ai.dynamo.deploy.ir.Fields.text;

import ai.dynamo.deploy.ir.Fields.Entry;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * What every group of IR rules shares: where problems go, where fields were written, and the helpers for known keys,
 * required keys and integers. One instance's state is shared by all rule groups of one load.
 */
abstract class Rules {
  final Problems problems;
  final SourceMap positions;
  /** Per mapping, the known keys offered as "did you mean" for an unknown one. */
  final Map<MappingNode, Set<String>> suggested;

  Rules(Problems problems) {
    this.problems = problems;
    this.positions = new SourceMap();
    this.suggested = new IdentityHashMap<>();
  }

  /** Another group of rules working on the same load. */
  Rules(Rules shared) {
    this.problems = shared.problems;
    this.positions = shared.positions;
    this.suggested = shared.suggested;
  }

  private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9_]*)");

  int errorCount() {
    return problems.errorCount();
  }

  /** The entries of a mapping by key (first occurrence wins), reporting keys outside {@code allowed}. */
  Map<String, Entry> known(MappingNode map, String path, List<String> allowed, String hint) {
    Map<String, Entry> out = new LinkedHashMap<>();
    suggested.remove(map);
    for (Entry e : Fields.entries(map)) {
      if (allowed.contains(e.key())) {
        out.putIfAbsent(e.key(), e);
        continue;
      }
      String close = Suggestions.closest(e.key(), allowed);
      if (close != null) suggested.computeIfAbsent(map, k -> new java.util.HashSet<>()).add(close);
      String message = close != null
          ? "unknown key " + Fields.quote(e.key()) + "; did you mean \"" + close + "\"?"
          : "unknown key " + Fields.quote(e.key()) + " (valid: " + String.join(", ", allowed) + (hint == null ? "" : "; " + hint) + ")";
      problems.error(e.keyNode(), child(path, e.key()), message);
    }
    return out;
  }

  Entry require(Map<String, Entry> fields, String key, MappingNode map, String path) {
    Entry e = fields.get(key);
    // "componets" already drew "did you mean components?"; saying components is missing as well is noise.
    boolean misspelt = suggested.getOrDefault(map, Set.of()).contains(key);
    if (e == null && !misspelt) missing(map, child(path, key));
    return e;
  }

  void missing(MappingNode map, String path) {
    problems.error(map, path, "required key is missing");
  }

  static Entry firstEntry(MappingNode map, String key) {
    for (Entry e : Fields.entries(map)) {
      if (e.key().equals(key)) return e;
    }
    return null;
  }

  /** An integer between {@code min} and {@code max}; {@code min} when absent or invalid (the error is reported). */
  int positiveInt(Entry e, String path, int min, int max) {
    if (e == null) return min;
    Long n = integer(e.value());
    if (n == null || n < min) {
      problems.error(e.keyNode(), path, "expected a positive integer, got " + describe(e.value()));
      return min;
    }
    if (n > max) {
      problems.error(e.keyNode(), path, "expected at most " + max + ", got " + describe(e.value()));
      return min;
    }
    return n.intValue();
  }

  /**
   * The value of an integer scalar, or null when the node is not one. Values beyond a long saturate (they fail every
   * range check; messages quote the text as written).
   */
  static Long integer(Node n) {
    if (!isInt(n)) return null;
    BigInteger v = yamlInteger(text(n));
    if (v.bitLength() < 63) return v.longValue();
    return v.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /** YAML 1.1 integers: {@code 8080}, {@code 1_000}, {@code 0x1F}, {@code 0o17}, ... */
  static BigInteger yamlInteger(String text) {
    if (DECIMAL.matcher(text).matches()) return new BigInteger(text.replace("_", ""));
    // Rare notations: let SnakeYAML's own constructor read them rather than re-implementing YAML 1.1.
    Object v = new Yaml(new LoaderOptions()).load(text);
    return v instanceof BigInteger b ? b : BigInteger.valueOf(((Number) v).longValue());
  }

  static boolean yamlBoolean(String text) {
    String t = text.toLowerCase(java.util.Locale.ROOT);
    return t.equals("true") || t.equals("yes") || t.equals("on");
  }

}
