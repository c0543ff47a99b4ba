package ai.dynamo.deploy.ir;

import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Where fields were written, by path ({@code components[1].image}), so later stages can point at them. */
final class SourceMap {
  private final Map<String, Node> nodes = new HashMap<>();

  void put(String path, Node node) {
    nodes.putIfAbsent(path, node);
  }

  /** The node written at {@code path}, or null. */
  Node node(String path) {
    return nodes.get(path);
  }

  /** The node at {@code path}, else the one at {@code fallback}. */
  Node nodeOr(String path, String fallback) {
    Node n = nodes.get(path);
    return n != null ? n : nodes.get(fallback);
  }
}
