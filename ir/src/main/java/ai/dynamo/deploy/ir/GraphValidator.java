package ai.dynamo.deploy.ir;

import static ai.dynamo.deploy.ir.Fields.child;
import static ai.dynamo.deploy.ir.Fields.describe;
import static ai.dynamo.deploy.ir.Fields.isInt;
import static ai.dynamo.deploy.ir.Fields.isNull;
import static ai.dynamo.deploy.ir.Fields.isPlainScalar;
import static ai.dynamo.deploy.ir.Fields.isString;
import static ai.dynamo.deploy.ir.Fields.text;

import ai.dynamo.deploy.ir.Fields.Entry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The target-agnostic rules of IR v1: walks the YAML node tree, reports every problem it finds (it does not stop
 * at the first) and builds the normalised {@link Graph} when there is none. The rules are listed in docs/ir.md.
 */
final class GraphValidator {

  static final List<String> TOP_KEYS = List.of("version", "name", "components");
  static final List<String> COMPONENT_KEYS =
      List.of("name", "image", "cmd", "run_config", "parameters", "replicas", "resources", "environment", "secrets",
          "node_selector", "readiness");
  static final List<String> RESOURCE_KEYS = List.of("cpu", "memory", "gpu");
  static final List<String> READINESS_KINDS = List.of("http", "tcp", "running");
  /** Engines and the {@code dyn} forwarder that {@code dynamo serve out=...} accepts. */
  static final List<String> OUTPUTS =
      List.of("dyn", "echo", "echo_core", "echo_full", "llamacpp", "mistralrs", "mocker", "sglang", "trtllm", "vllm");
  static final Set<String> GPU_ENGINES = Set.of("vllm", "sglang", "trtllm");
  static final String VALID_INPUTS = "http, text, dyn://<namespace>.<component>.<endpoint>, batch:<path>";

  static final String NUM_NODES = "num_nodes";
  static final String NODE_RANK = "node_rank";
  static final String LEADER_ADDR = "leader_addr";
  static final String TENSOR_PARALLEL_SIZE = "tensor_parallel_size";

  static final int MAX_REPLICAS = 1000;
  static final int MAX_NUM_NODES = 1000;
  static final int MAX_GPUS_PER_NODE = 1024;
  static final int MAX_LABEL = 63;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern PARAMETER_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?");
  private static final Pattern SECRET_REF = Pattern.compile("\\$\\{\\{\\s*secrets\\.([^\\s}]*)\\s*}}");
  private static final Pattern ANY_REF = Pattern.compile("\\$\\{\\{.*?}}");
  private static final Pattern SECRET_REF_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern DYN_INPUT = Pattern.compile("dyn://[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9_]*)");
  private static final Pattern SECRET_LIKE_ENV = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY)$");

  /** What validation produced: the graph (null on any error) and where each field was written. */
  record Result(Graph graph, SourceMap positions) {}

  private final Problems problems;
  private final SourceMap positions = new SourceMap();
  /** Per mapping, the known keys offered as "did you mean" for an unknown one. */
  private final Map<MappingNode, Set<String>> suggested = new java.util.IdentityHashMap<>();

  GraphValidator(Problems problems) {
    this.problems = problems;
  }

  Result validate(Node root) {
    Graph graph = graph(root);
    return new Result(problems.hasErrors() ? null : graph, positions);
  }

  // ---------------------------------------------------------------------------------------------- top level

  private Graph graph(Node root) {
    if (!(root instanceof MappingNode top)) {
      problems.error(root, "", "expected a mapping with version, name and components at the top of the file, got " + describe(root));
      return null;
    }
    Map<String, Entry> f = known(top, "", TOP_KEYS, null);
    Entry version = require(f, "version", top, "");
    if (version != null && !isSupportedVersion(version.value())) {
      problems.error(version.keyNode(), "version", "unsupported IR version " + describe(version.value()) + " (supported: 1, 1.0, \"1.0\")");
    }
    String name = name(require(f, "name", top, ""), "name", "graph name");
    List<Component> components = components(require(f, "components", top, ""));
    return new Graph("1.0", name, components);
  }

  private static boolean isSupportedVersion(Node v) {
    if (!(v instanceof ScalarNode)) return false;
    String t = text(v);
    if (v.getTag().equals(Tag.STR)) return t.equals("1") || t.equals("1.0");
    try {
      if (v.getTag().equals(Tag.INT) || v.getTag().equals(Tag.FLOAT)) return new BigDecimal(t).compareTo(BigDecimal.ONE) == 0;
    } catch (NumberFormatException e) {
      return false; // .inf, .nan
    }
    return false;
  }

  private List<Component> components(Entry e) {
    List<Component> out = new ArrayList<>();
    if (e == null) return out;
    if (!(e.value() instanceof SequenceNode seq)) {
      problems.error(e.keyNode(), "components", "expected a list of components, got " + describe(e.value()));
      return out;
    }
    if (seq.getValue().isEmpty()) {
      problems.error(e.keyNode(), "components", "a graph needs at least one component");
      return out;
    }
    Map<String, Node> exactNames = new HashMap<>();
    Map<String, String> derivedNames = new HashMap<>();
    Map<String, Node> derivedAt = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Component c = component(seq.getValue().get(i), "components[" + i + "]");
      if (c == null) continue;
      out.add(c);
      Node nameNode = positions.node("components[" + i + "].name");
      Node first = exactNames.putIfAbsent(c.name(), nameNode);
      if (first != null) {
        problems.error(nameNode, "components[" + i + "].name",
            "duplicate component name \"" + c.name() + "\" (first given at " + Problems.where(first) + ")");
        continue;
      }
      String derived = Names.dnsLabel(c.name());
      if (derived.isEmpty() || derived.length() > MAX_LABEL) continue; // reported with the name
      String other = derivedNames.putIfAbsent(derived, c.name());
      if (other != null) {
        problems.error(nameNode, "components[" + i + "].name",
            "component names \"" + other + "\" (" + Problems.where(derivedAt.get(derived)) + ") and \"" + c.name()
                + "\" both become \"" + derived + "\" as Kubernetes names; rename one");
      } else {
        derivedAt.put(derived, nameNode);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- component

  private Component component(Node node, String path) {
    if (!(node instanceof MappingNode m)) {
      problems.error(node, path, "expected a component (a mapping with name, image, run_config, ...), got " + describe(node));
      return null;
    }
    positions.put(path, node);
    int before = errorCount();
    Map<String, Entry> f = known(m, path, COMPONENT_KEYS, "engine parameters go in run_config or parameters");
    String name = name(require(f, "name", m, path), child(path, "name"), "component name");
    String image = image(f.get("image"), child(path, "image"));
    List<String> cmd = cmd(f.get("cmd"), child(path, "cmd"));

    String input = null;
    String output = null;
    List<RawParameter> raw = new ArrayList<>();
    Entry runConfig = require(f, "run_config", m, path);
    for (Entry e : f.values()) {
      if (e == runConfig) {
        String rc = child(path, "run_config");
        if (!(e.value() instanceof MappingNode rcMap)) {
          problems.error(e.keyNode(), rc, "expected a mapping with input, output and engine parameters, got " + describe(e.value()));
          continue;
        }
        for (Entry p : Fields.entries(rcMap)) {
          switch (p.key()) {
            case "input" -> input = input(p, child(rc, "input"));
            case "output" -> output = output(p, child(rc, "output"));
            case "parameters" -> rawParameters(p, child(rc, "parameters"), raw);
            default -> raw.add(new RawParameter(p, child(rc, p.key()), true));
          }
        }
        if (firstEntry(rcMap, "input") == null) missing(rcMap, child(rc, "input"));
        if (firstEntry(rcMap, "output") == null) missing(rcMap, child(rc, "output"));
      } else if (e.key().equals("parameters")) {
        rawParameters(e, child(path, "parameters"), raw);
      }
    }
    LinkedHashMap<String, RawParameter> merged = merge(raw);
    MultiNode multiNode = multiNode(merged);
    int replicas = positiveInt(f.get("replicas"), child(path, "replicas"), 1, MAX_REPLICAS);
    Resources resources = resources(f.get("resources"), child(path, "resources"));
    checkTensorParallel(merged.get(TENSOR_PARALLEL_SIZE), resources, multiNode);
    if (output != null && GPU_ENGINES.contains(output) && resources != null && resources.gpu() == 0) {
      Entry rc = runConfig;
      Entry out = rc != null && rc.value() instanceof MappingNode rm ? firstEntry(rm, "output") : null;
      problems.warning(out == null ? m : out.keyNode(), child(path, "run_config.output"),
          "engine " + output + " normally needs GPUs, but resources.gpu is 0");
    }
    List<EnvVar> environment = environment(f.get("environment"), child(path, "environment"));
    List<String> secrets = secrets(f.get("secrets"), child(path, "secrets"));
    Map<String, String> nodeSelector = nodeSelector(f.get("node_selector"), child(path, "node_selector"));
    Readiness readiness = readiness(f.get("readiness"), child(path, "readiness"));

    if (errorCount() > before) return null;
    List<Parameter> parameters = new ArrayList<>();
    for (RawParameter p : merged.values()) parameters.add(p.toParameter());
    return new Component(name, image, cmd, input, output, parameters, replicas, resources, environment, secrets,
        nodeSelector, multiNode, readiness);
  }

  private String name(Entry e, String path, String what) {
    if (e == null) return null;
    positions.put(path, e.keyNode());
    if (!isString(e.value())) {
      problems.error(e.keyNode(), path, "expected the " + what + " as a string, got " + describe(e.value()));
      return null;
    }
    String name = text(e.value());
    if (!NAME.matcher(name).matches()) {
      problems.error(e.keyNode(), path, what + " \"" + name + "\" may contain only letters, digits, '_', '-' and '.'");
      return null;
    }
    String derived = Names.dnsLabel(name);
    if (derived.isEmpty()) {
      problems.error(e.keyNode(), path, what + " \"" + name + "\" has no letter or digit to derive a Kubernetes name from");
      return null;
    }
    if (derived.length() > MAX_LABEL) {
      problems.error(e.keyNode(), path, what + " is too long: its Kubernetes name \"" + derived + "\" would have "
          + derived.length() + " characters (the limit is " + MAX_LABEL + ")");
      return null;
    }
    return name;
  }

  private String image(Entry e, String path) {
    if (e == null) return null;
    positions.put(path, e.keyNode());
    if (!isString(e.value())) {
      problems.error(e.keyNode(), path, "expected an image reference as a string, got " + describe(e.value()));
      return null;
    }
    String image = text(e.value());
    if (!Names.isPlaceholderImage(image) && !image.chars().allMatch(ch -> ch > ' ' && ch != 0x7f)) {
      problems.error(e.keyNode(), path, "an image reference must not contain spaces or control characters");
    }
    return image;
  }

  private List<String> cmd(Entry e, String path) {
    if (e == null) return Component.DEFAULT_CMD;
    if (!(e.value() instanceof SequenceNode seq)) {
      problems.error(e.keyNode(), path, "expected a list of strings such as [\"dynamo\", \"serve\"], got " + describe(e.value()));
      return Component.DEFAULT_CMD;
    }
    if (seq.getValue().isEmpty()) {
      problems.error(e.keyNode(), path, "the command must not be empty (leave cmd out for the default [\"dynamo\", \"serve\"])");
      return Component.DEFAULT_CMD;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      if (!isPlainScalar(item) || item.getTag().equals(Tag.BOOL)) {
        problems.error(item, path + "[" + i + "]", "expected a string, got " + describe(item));
      } else {
        out.add(text(item));
      }
    }
    return out;
  }

  private String input(Entry e, String path) {
    if (!isString(e.value())) {
      problems.error(e.keyNode(), path, "expected a string (" + VALID_INPUTS + "), got " + describe(e.value()));
      return null;
    }
    String in = text(e.value());
    InputKind kind = InputKind.of(in);
    if (kind == InputKind.DYN && !DYN_INPUT.matcher(in).matches()) {
      problems.error(e.keyNode(), path, "expected dyn://<namespace>.<component>.<endpoint> (three names of letters, digits, '_' or '-'), got \"" + in + "\"");
      return null;
    }
    if (kind == InputKind.BATCH && in.substring("batch:".length()).isBlank()) {
      problems.error(e.keyNode(), path, "expected batch:<path> with the path of a prompts file, got \"" + in + "\"");
      return null;
    }
    if (kind == null) {
      String hint = Suggestions.closest(in, List.of("http", "text"));
      problems.error(e.keyNode(), path, "unknown input \"" + in + "\"" + (hint == null ? "" : "; did you mean \"" + hint + "\"?")
          + " (valid: " + VALID_INPUTS + ")");
      return null;
    }
    return in;
  }

  private String output(Entry e, String path) {
    if (!isString(e.value())) {
      problems.error(e.keyNode(), path, "expected a string (" + String.join(", ", OUTPUTS) + "), got " + describe(e.value()));
      return null;
    }
    String out = text(e.value());
    if (!OUTPUTS.contains(out)) {
      String hint = Suggestions.closest(out, OUTPUTS);
      problems.error(e.keyNode(), path, "unknown output \"" + out + "\"" + (hint == null ? "" : "; did you mean \"" + hint + "\"?")
          + " (valid: " + String.join(", ", OUTPUTS) + ")");
      return null;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- parameters

  /** A parameter as written, before merging: where it came from and its value node. */
  private record RawParameter(Entry entry, String path, boolean plainRunConfigKey) {
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

  private void rawParameters(Entry e, String path, List<RawParameter> raw) {
    if (!(e.value() instanceof MappingNode map)) {
      problems.error(e.keyNode(), path, "expected a mapping of engine parameters, got " + describe(e.value()));
      return;
    }
    for (Entry p : Fields.entries(map)) raw.add(new RawParameter(p, child(path, p.key()), false));
  }

  /** One ordered map from the three places; a key given again must have the same value. */
  private LinkedHashMap<String, RawParameter> merge(List<RawParameter> raw) {
    LinkedHashMap<String, RawParameter> merged = new LinkedHashMap<>();
    Set<String> seenPaths = new java.util.HashSet<>();
    for (RawParameter p : raw) {
      if (!seenPaths.add(p.path())) continue; // a duplicate key in one mapping, already reported
      if (!PARAMETER_KEY.matcher(p.key()).matches()) {
        problems.error(p.entry().keyNode(), p.path(),
            "parameter name \"" + p.key() + "\" must start with a letter and contain only letters, digits, '_' and '-'");
        continue;
      }
      if (!isPlainScalar(p.value()) && !p.value().getTag().equals(Tag.TIMESTAMP)) {
        String what = isNull(p.value())
            ? "parameter has no value (write true for a flag without a value)"
            : "parameter values must be scalars (a string, number or boolean), got " + describe(p.value());
        if (p.plainRunConfigKey() && p.value() instanceof MappingNode) {
          String hint = Suggestions.closest(p.key(), List.of("parameters"));
          if (hint != null) {
            what = "unknown key \"" + p.key() + "\"; did you mean \"parameters\"? (any other key in run_config is an engine"
                + " parameter, and parameter values must be scalars)";
          }
        }
        problems.error(p.entry().keyNode(), p.path(), what);
        continue;
      }
      RawParameter first = merged.putIfAbsent(p.key(), p);
      if (first != null && !sameValue(first.value(), p.value())) {
        problems.error(p.entry().keyNode(), p.path(),
            "parameter \"" + p.key() + "\" is given twice with different values: " + describe(first.value()) + " at "
                + first.path() + " (" + Problems.where(first.entry().keyNode()) + ") and " + describe(p.value()) + " here");
      }
    }
    return merged;
  }

  /** Same YAML type and same value: {@code 2} and {@code 2} agree, {@code 2} and {@code "2"} do not. */
  private static boolean sameValue(Node a, Node b) {
    if (!a.getTag().equals(b.getTag())) return false;
    if (a.getTag().equals(Tag.INT)) return yamlInteger(text(a)).equals(yamlInteger(text(b)));
    if (a.getTag().equals(Tag.BOOL)) return yamlBoolean(text(a)) == yamlBoolean(text(b));
    return text(a).equals(text(b));
  }

  private MultiNode multiNode(LinkedHashMap<String, RawParameter> merged) {
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
        problems.error(rank.entry().keyNode(), rank.path(), "node_rank " + r + " must be less than num_nodes (" + numNodes + ")");
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

  private void checkTensorParallel(RawParameter tp, Resources resources, MultiNode multiNode) {
    if (tp == null) return;
    Long size = integer(tp.value());
    if (size == null || size < 1) {
      problems.error(tp.entry().keyNode(), tp.path(), "expected a positive integer, got " + describe(tp.value()));
      return;
    }
    if (resources == null) return; // resources had errors of their own
    long gpus = (long) resources.gpu() * multiNode.numNodes();
    if (size > Math.max(1, gpus)) {
      problems.error(tp.entry().keyNode(), tp.path(), "tensor_parallel_size " + size + " is larger than gpu x num_nodes = "
          + resources.gpu() + " x " + multiNode.numNodes() + " = " + gpus);
    }
  }

  // ---------------------------------------------------------------------------------------------- resources

  private Resources resources(Entry e, String path) {
    if (e == null) return Resources.NONE;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping with cpu, memory and gpu, got " + describe(e.value()));
      return null;
    }
    int before = errorCount();
    Map<String, Entry> f = known(m, path, RESOURCE_KEYS, null);
    String cpu = null;
    Entry c = f.get("cpu");
    if (c != null) {
      cpu = isPlainScalar(c.value()) && !c.value().getTag().equals(Tag.BOOL) ? text(c.value()) : null;
      long millis = cpu == null ? -1 : Quantities.cpuMillis(cpu);
      if (millis < 0) {
        problems.error(c.keyNode(), child(path, "cpu"), "expected a CPU quantity such as 500m, 2 or 1.5, got " + describe(c.value()));
      } else if (millis == 0) {
        problems.error(c.keyNode(), child(path, "cpu"), "cpu must be more than zero");
      }
    }
    String memory = null;
    Entry mem = f.get("memory");
    if (mem != null) {
      memory = isString(mem.value()) || isInt(mem.value()) ? text(mem.value()) : null;
      long bytes = memory == null ? -1 : Quantities.memoryBytes(memory);
      if (bytes < 0) {
        problems.error(mem.keyNode(), child(path, "memory"), "expected a memory quantity such as 512Mi, 2Gi or 16G, got " + describe(mem.value()));
      } else if (bytes == 0) {
        problems.error(mem.keyNode(), child(path, "memory"), "memory must be more than zero");
      }
    }
    int gpu = 0;
    Entry g = f.get("gpu");
    if (g != null) {
      Long n = integer(g.value());
      if (n == null || n < 0) {
        problems.error(g.keyNode(), child(path, "gpu"), "expected a non-negative integer, got " + describe(g.value()));
      } else if (n > MAX_GPUS_PER_NODE) {
        problems.error(g.keyNode(), child(path, "gpu"), "gpu is per node; " + n + " is more than any node has (the limit is " + MAX_GPUS_PER_NODE + ")");
      } else {
        gpu = n.intValue();
      }
    }
    return errorCount() > before ? null : new Resources(cpu, memory, gpu);
  }

  // ---------------------------------------------------------------------------------------------- environment, secrets

  private List<EnvVar> environment(Entry e, String path) {
    List<EnvVar> out = new ArrayList<>();
    if (e == null) return out;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping of variable names to values, got " + describe(e.value()));
      return out;
    }
    Set<String> seen = new java.util.HashSet<>();
    for (Entry v : Fields.entries(m)) {
      String p = child(path, v.key());
      if (!seen.add(v.key())) continue; // duplicate key, already reported
      positions.put(p, v.keyNode());
      if (!ENV_NAME.matcher(v.key()).matches()) {
        problems.error(v.keyNode(), p, "environment variable name \"" + v.key() + "\" must start with a letter or '_' and contain only letters, digits and '_'");
        continue;
      }
      // Values are never quoted back in messages: a literal value may be a credential written by mistake.
      if (!isPlainScalar(v.value())) {
        String got = isNull(v.value()) ? "nothing" : v.value() instanceof ScalarNode ? "a date (quote it)" : describe(v.value());
        problems.error(v.keyNode(), p, "expected a string value, got " + got);
        continue;
      }
      String value = text(v.value());
      Matcher ref = SECRET_REF.matcher(value);
      if (ref.matches()) {
        String secret = ref.group(1);
        if (!SECRET_REF_NAME.matcher(secret).matches()) {
          problems.error(v.keyNode(), p, "invalid secret name in reference: \"" + secret + "\" (use letters, digits and '_', starting with a letter or '_')");
        } else {
          out.add(EnvVar.secret(v.key(), secret));
        }
      } else if (value.contains("${{")) {
        Matcher any = ANY_REF.matcher(value);
        if (any.find() && any.start() == 0 && any.end() == value.length()) {
          problems.error(v.keyNode(), p, "only secret references are supported: write the whole value as \"${{ secrets.NAME }}\"");
        } else {
          problems.error(v.keyNode(), p, "a secret reference must be the whole value, \"${{ secrets.NAME }}\"; it cannot be part of a longer string");
        }
      } else {
        if (SECRET_LIKE_ENV.matcher(v.key()).matches() && !value.isEmpty()) {
          problems.warning(v.keyNode(), p, v.key() + " has a literal value; write \"${{ secrets." + v.key()
              + " }}\" so the value stays out of rendered files and logs");
        }
        out.add(EnvVar.literal(v.key(), value));
      }
    }
    return out;
  }

  private List<String> secrets(Entry e, String path) {
    List<String> out = new ArrayList<>();
    if (e == null) return out;
    if (!(e.value() instanceof SequenceNode seq)) {
      problems.error(e.keyNode(), path, "expected a list of secret names, got " + describe(e.value()));
      return out;
    }
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      String p = path + "[" + i + "]";
      if (!isString(item)) {
        problems.error(item, p, "expected a secret name as a string, got " + describe(item));
        continue;
      }
      String s = text(item);
      if (!SECRET_NAME.matcher(s).matches() || s.length() > 253) {
        problems.error(item, p, "secret name \"" + s + "\" must start and end with a letter or digit and contain only letters, digits, '_', '-' and '.' (at most 253)");
        continue;
      }
      Node first = seen.putIfAbsent(s, item);
      if (first != null) {
        problems.error(item, p, "secret \"" + s + "\" is listed twice (first at " + Problems.where(first) + ")");
        continue;
      }
      out.add(s);
    }
    return out;
  }

  private Map<String, String> nodeSelector(Entry e, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (e == null) return out;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping of label names to values, got " + describe(e.value()));
      return out;
    }
    for (Entry l : Fields.entries(m)) {
      String p = child(path, l.key());
      if (out.containsKey(l.key())) continue; // duplicate key, already reported
      if (!isLabelKey(l.key())) {
        problems.error(l.keyNode(), p, "\"" + l.key() + "\" is not a valid label name (up to 63 letters, digits, '-', '_' or '.', optionally after a DNS prefix and '/')");
        continue;
      }
      if (!isPlainScalar(l.value())) {
        problems.error(l.keyNode(), p, "expected a label value as a string, got " + describe(l.value()));
        continue;
      }
      String value = text(l.value());
      if (!value.isEmpty() && !LABEL_NAME.matcher(value).matches()) {
        problems.error(l.keyNode(), p, "label value " + describe(l.value()) + " must be empty or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        continue;
      }
      out.put(l.key(), value);
    }
    return out;
  }

  private static boolean isLabelKey(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) return false;
    }
    return LABEL_NAME.matcher(name).matches();
  }

  // ---------------------------------------------------------------------------------------------- readiness

  private Readiness readiness(Entry e, String path) {
    if (e == null) return null;
    String shape = "expected one of {http: {port: 8080, path: /health}}, {tcp: {port: 9000}} or {running: true}";
    if (!(e.value() instanceof MappingNode m) || m.getValue().isEmpty()) {
      problems.error(e.keyNode(), path, shape + ", got " + describe(e.value()));
      return null;
    }
    Map<String, Entry> f = known(m, path, READINESS_KINDS, null);
    if (f.size() > 1) {
      problems.error(e.keyNode(), path, "readiness takes exactly one of http, tcp or running, got " + String.join(", ", f.keySet()));
      return null;
    }
    if (f.isEmpty()) return null; // the unknown key was reported
    Entry kind = f.values().iterator().next();
    String p = child(path, kind.key());
    switch (kind.key()) {
      case "running" -> {
        if (!kind.value().getTag().equals(Tag.BOOL) || !yamlBoolean(text(kind.value()))) {
          problems.error(kind.keyNode(), p, "expected true, got " + describe(kind.value()));
          return null;
        }
        return new Readiness(Readiness.Type.RUNNING, null, null);
      }
      case "tcp", "http" -> {
        boolean http = kind.key().equals("http");
        if (!(kind.value() instanceof MappingNode km)) {
          problems.error(kind.keyNode(), p, "expected a mapping with port" + (http ? " and path" : "") + ", got " + describe(kind.value()));
          return null;
        }
        Map<String, Entry> kf = known(km, p, http ? List.of("port", "path") : List.of("port"), null);
        Entry port = require(kf, "port", km, p);
        Integer portNumber = null;
        if (port != null) {
          Long n = integer(port.value());
          if (n == null || n < 1 || n > 65535) {
            problems.error(port.keyNode(), child(p, "port"), "expected a port from 1 to 65535, got " + describe(port.value()));
          } else {
            portNumber = n.intValue();
          }
        }
        String httpPath = http ? "/" : null;
        Entry pe = kf.get("path");
        if (pe != null) {
          if (!isString(pe.value()) || !text(pe.value()).startsWith("/") || text(pe.value()).chars().anyMatch(ch -> ch <= ' ')) {
            problems.error(pe.keyNode(), child(p, "path"), "expected an HTTP path starting with '/' and without spaces, got " + describe(pe.value()));
          } else {
            httpPath = text(pe.value());
          }
        }
        return portNumber == null ? null : new Readiness(http ? Readiness.Type.HTTP : Readiness.Type.TCP, portNumber, httpPath);
      }
      default -> throw new IllegalStateException(kind.key());
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** The entries of a mapping by key (first occurrence wins), reporting keys outside {@code allowed}. */
  private Map<String, Entry> known(MappingNode map, String path, List<String> allowed, String hint) {
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
          ? "unknown key \"" + e.key() + "\"; did you mean \"" + close + "\"?"
          : "unknown key \"" + e.key() + "\" (valid: " + String.join(", ", allowed) + (hint == null ? "" : "; " + hint) + ")";
      problems.error(e.keyNode(), child(path, e.key()), message);
    }
    return out;
  }

  private Entry require(Map<String, Entry> fields, String key, MappingNode map, String path) {
    Entry e = fields.get(key);
    // "componets" already drew "did you mean components?"; saying components is missing as well is noise.
    boolean misspelt = suggested.getOrDefault(map, Set.of()).contains(key);
    if (e == null && !misspelt) missing(map, child(path, key));
    return e;
  }

  private void missing(MappingNode map, String path) {
    problems.error(map, path, "required key is missing");
  }

  private static Entry firstEntry(MappingNode map, String key) {
    for (Entry e : Fields.entries(map)) {
      if (e.key().equals(key)) return e;
    }
    return null;
  }

  /** An integer between {@code min} and {@code max}; {@code min} when absent or invalid (the error is reported). */
  private int positiveInt(Entry e, String path, int min, int max) {
    if (e == null) return min;
    Long n = integer(e.value());
    if (n == null || n < min) {
      problems.error(e.keyNode(), path, "expected a positive integer, got " + describe(e.value()));
      return min;
    }
    if (n > max) {
      problems.error(e.keyNode(), path, "expected at most " + max + ", got " + n);
      return min;
    }
    return n.intValue();
  }

  /** The value of an integer scalar, or null when the node is not one (or does not fit in a long). */
  private static Long integer(Node n) {
    if (!isInt(n)) return null;
    BigInteger v = yamlInteger(text(n));
    return v.bitLength() < 63 ? v.longValue() : null;
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

  private int errorCount() {
    return problems.errorCount();
  }
}
