package ai.dynamo.deploy.ir;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Small helpers over SnakeYAML nodes: entries in order, field paths, and how to describe a value in a message. */
final class Fields {
  private Fields() {}

  /** One key/value pair of a mapping, with the key's text and both nodes (for positions). */
  record Entry(String key, Node keyNode, Node value) {}

  /** The entries of a mapping in the order written; keys that are not scalars are skipped (reported elsewhere). */
  static List<Entry> entries(MappingNode map) {
    List<Entry> out = new ArrayList<>();
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k) out.add(new Entry(k.getValue(), k, t.getValueNode()));
    }
    return out;
  }

  /** {@code parent.key}, or {@code key} at the top. */
  static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
  }

  static boolean isString(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.STR);
  }

  static boolean isInt(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.INT);
  }

  /** A scalar that is a string, number or boolean (not null, not a date). */
  static boolean isPlainScalar(Node n) {
    if (!(n instanceof ScalarNode)) return false;
    Tag t = n.getTag();
    return t.equals(Tag.STR) || t.equals(Tag.INT) || t.equals(Tag.FLOAT) || t.equals(Tag.BOOL);
  }

  static String text(Node n) {
    return ((ScalarNode) n).getValue();
  }

  /** Text in double quotes for a message, cut short when long: {@code "replica"}. */
  static String quote(String text) {
    return "\"" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "\"";
  }

  /** How a value reads in a message: {@code "two"}, {@code 3}, {@code a mapping}, {@code nothing}. */
  static String describe(Node n) {
    if (n instanceof MappingNode) return "a mapping";
    if (n instanceof SequenceNode) return "a list";
    if (isNull(n)) return "nothing";
    String v = text(n);
    if (n.getTag().equals(Tag.STR) || n.getTag().equals(Tag.TIMESTAMP)) return quote(v);
    return v.length() > 60 ? v.substring(0, 57) + "..." : v;
  }
}
