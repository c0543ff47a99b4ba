package ai.dynamo.deploy.ir;

import static ai.dynamo.deploy.ir.Fields.child;
import static ai.dynamo.deploy.ir.Fields.describe;
import static ai.dynamo.deploy.ir.Fields.isNull;
import static ai.dynamo.deploy.ir.Fields.isPlainScalar;
import static ai.dynamo.deploy.ir.Fields.isString;
import static ai.dynamo.deploy.ir.Fields.text;

import ai.dynamo.deploy.ir.Fields.Entry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Engine parameters: collected from the three places the IR allows, merged into one ordered map (a key given again
 * must have the same value), the multi-node keys taken out into {@link MultiNode}, and tensor_parallel_size checked.
 */
final class ParameterRules extends Rules {
  static final String NUM_NODES = "num_nodes";
  static final String NODE_RANK = "node_rank";
  static final String LEADER_ADDR = "leader_addr";
  static final String TENSOR_PARALLEL_SIZE = "tensor_parallel_size";
  static final int MAX_NUM_NODES = 1000;
  static final Pattern PARAMETER_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");

  /** Parameters end up on a command line, in rendered files: a secret there would not stay a reference. */
  static final String SECRETS_ONLY_IN_ENVIRONMENT =
      "secret references (${{ ... }}) are only supported as whole environment values; pass the secret through"
          + " environment and let the engine read it from there";

  ParameterRules(Rules shared) {
    super(shared);
  }

  /** A parameter as written, before merging: where it came from and its value node. */
  record RawParameter(Entry entry, String path, boolean plainRunConfigKey) {
    String key() {
      return entry.key();
    }

    Node value() {
      return entry.value();
    }

    Parameter toParameter() {
      Node v = value();
      Tag t = v.getTag();
      if (t.equals(Tag.INT)) return new Parameter(key(), yamlInteger(text(v)).toString(), Parameter.Type.INTEGER);
      if (t.equals(Tag.FLOAT)) return new Parameter(key(), text(v), Parameter.Type.FLOAT);
      if (t.equals(Tag.BOOL)) return new Parameter(key(), Boolean.toString(yamlBoolean(text(v))), Parameter.Type.BOOLEAN);
      return new Parameter(key(), text(v), Parameter.Type.STRING);
    }
  }

  void collect(Entry e, String path, List<RawParameter> raw) {
    if (!(e.value() instanceof MappingNode map)) {
      problems.error(e.keyNode(), path, "expected a mapping of engine parameters, got " + describe(e.value()));
      return;
    }
    for (Entry p : Fields.entries(map)) raw.add(new RawParameter(p, child(path, p.key()), false));
  }

  /** One ordered map from the three places; a key given again must have the same value. */
  LinkedHashMap<String, RawParameter> merge(List<RawParameter> raw) {
    LinkedHashMap<String, RawParameter> merged = new LinkedHashMap<>();
    Set<String> seenPaths = new HashSet<>();
    for (RawParameter p : raw) {
      if (!seenPaths.add(p.path())) continue; // a duplicate key in one mapping, already reported
      if (!PARAMETER_KEY.matcher(p.key()).matches()) {
        problems.error(p.entry().keyNode(), p.path(),
            "parameter name " + Fields.quote(p.key()) + " must start with a letter and contain only letters, digits, '_' and '-'");
        continue;
      }
      if (!isPlainScalar(p.value()) && !p.value().getTag().equals(Tag.TIMESTAMP)) {
        String what = isNull(p.value())
            ? "parameter has no value (write true for a flag without a value)"
            : "parameter values must be scalars (a string, number or boolean), got " + describe(p.value());
        if (p.plainRunConfigKey() && p.value() instanceof MappingNode) {
          String hint = Suggestions.closest(p.key(), List.of("parameters"));
          if (hint != null) {
            what = "unknown key " + Fields.quote(p.key()) + "; did you mean \"parameters\"? (any other key in run_config is an engine"
                + " parameter, and parameter values must be scalars)";
          }
        }
        problems.error(p.entry().keyNode(), p.path(), what + componentKeyHint(p));
        continue;
      }
      if (!componentKeyHint(p).isEmpty()) {
        problems.warning(p.entry().keyNode(), p.path(), "engine parameter " + Fields.quote(p.key()) + " (passed to the"
            + " engine as a flag)" + componentKeyHint(p));
      }
      if (text(p.value()).contains("${{")) {
        problems.error(p.entry().keyNode(), p.path(), SECRETS_ONLY_IN_ENVIRONMENT);
        continue;
      }
      RawParameter first = merged.putIfAbsent(p.key(), p);
      if (first != null && !sameValue(first.value(), p.value())) {
        problems.error(p.entry().keyNode(), p.path(),
            "parameter " + Fields.quote(p.key()) + " is given twice with different values: " + describe(first.value()) + " at "
                + first.path() + " (" + Problems.where(first.entry().keyNode()) + ") and " + describe(p.value()) + " here");
      }
    }
    return merged;
  }

  /**
   * For a parameter named like a component's own field ({@code replicas} indented one level too deep under
   * {@code parameters}): what the user probably meant; empty otherwise.
   */
  private static String componentKeyHint(RawParameter p) {
    if (p.plainRunConfigKey() || !GraphValidator.COMPONENT_KEYS.contains(p.key()) || p.key().equals("parameters")) {
      return "";
    }
    return "; if you meant the component's " + Fields.quote(p.key()) + ", write it beside \"parameters\", not inside";
  }

  /** Same YAML type and same value: {@code 2} and {@code 2} agree, {@code 2} and {@code "2"} do not. */
  private static boolean sameValue(Node a, Node b) {
    if (!a.getTag().equals(b.getTag())) return false;
    if (a.getTag().equals(Tag.INT)) return yamlInteger(text(a)).equals(yamlInteger(text(b)));
    if (a.getTag().equals(Tag.BOOL)) return yamlBoolean(text(a)) == yamlBoolean(text(b));
    return text(a).equals(text(b));
  }

  MultiNode multiNode(LinkedHashMap<String, RawParameter> merged) {
    RawParameter nodes = merged.remove(NUM_NODES);
    RawParameter rank = merged.remove(NODE_RANK);
    RawParameter leader = merged.remove(LEADER_ADDR);
    int numNodes = nodes == null ? 1 : positiveInt(nodes.entry(), nodes.path(), 1, MAX_NUM_NODES);
    Integer nodeRank = null;
    if (rank != null) {
      Long r = integer(rank.value());
      if (r == null || r < 0) {
        problems.error(rank.entry().keyNode(), rank.path(), "expected a non-negative integer, got " + describe(rank.value()));
      } else if (r >= numNodes) {
        problems.error(rank.entry().keyNode(), rank.path(), "node_rank " + describe(rank.value()) + " must be less than num_nodes (" + numNodes + ")");
      } else {
        nodeRank = r.intValue();
      }
    }
    String leaderAddr = null;
    if (leader != null) {
      leaderAddr = leaderAddr(leader);
      if (leaderAddr != null && numNodes == 1) {
        problems.warning(leader.entry().keyNode(), leader.path(), "leader_addr has no effect on a single-node component (num_nodes is 1)");
      }
    }
    if (numNodes == 1 && nodeRank == null && leaderAddr == null) return MultiNode.SINGLE;
    return new MultiNode(numNodes, nodeRank, leaderAddr);
  }

  private String leaderAddr(RawParameter p) {
    String bad = "expected host:port with a port from 1 to 65535, got " + describe(p.value());
    if (!isString(p.value())) {
      problems.error(p.entry().keyNode(), p.path(), bad);
      return null;
    }
    String addr = text(p.value());
    int colon = addr.lastIndexOf(':');
    if (colon <= 0 || !HOST.matcher(addr.substring(0, colon)).matches() || !isPort(addr.substring(colon + 1))) {
      problems.error(p.entry().keyNode(), p.path(), bad);
      return null;
    }
    return addr;
  }

  private static boolean isPort(String s) {
    if (!s.matches("[0-9]{1,5}")) return false;
    int port = Integer.parseInt(s);
    return port >= 1 && port <= 65535;
  }

  void checkTensorParallel(RawParameter tp, Resources resources, MultiNode multiNode) {
    if (tp == null) return;
    Long size = integer(tp.value());
    if (size == null || size < 1) {
      problems.error(tp.entry().keyNode(), tp.path(), "expected a positive integer, got " + describe(tp.value()));
      return;
    }
    if (resources == null) return; // resources had errors of their own
    long gpus = (long) resources.gpu() * multiNode.numNodes();
    if (size > Math.max(1, gpus)) {
      problems.error(tp.entry().keyNode(), tp.path(), "tensor_parallel_size " + describe(tp.value()) + " is larger than gpu x num_nodes = "
          + resources.gpu() + " x " + multiNode.numNodes() + " = " + gpus);
    }
  }

}
