package ai.dynamo.deploy.ir;

import static ai.dynamo.deploy.ir.Fields.child;
import static ai.dynamo.deploy.ir.Fields.describe;
import static ai.dynamo.deploy.ir.Fields.isPlainScalar;
import static ai.dynamo.deploy.ir.Fields.isString;
import static ai.dynamo.deploy.ir.Fields.text;

import ai.dynamo.deploy.ir.Fields.Entry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The target-agnostic rules of IR v1: walks the YAML node tree, reports every problem it finds (it does not stop
 * at the first) and builds the normalised {@link Graph} when there is none. The graph and component structure is
 * checked here; engine parameters in {@link ParameterRules}, the other component settings in
 * {@link ComponentFieldRules}. The rules are listed in docs/ir.md.
 */
final class GraphValidator extends Rules {

  static final List<String> TOP_KEYS = List.of("version", "name", "components");
  static final List<String> COMPONENT_KEYS =
      List.of("name", "image", "cmd", "run_config", "parameters", "replicas", "resources", "environment", "secrets",
          "node_selector", "readiness");
  /** Engines and the {@code dyn} forwarder that {@code dynamo serve out=...} accepts. */
  static final List<String> OUTPUTS =
      List.of("dyn", "echo", "echo_core", "echo_full", "llamacpp", "mistralrs", "mocker", "sglang", "trtllm", "vllm");
  static final Set<String> GPU_ENGINES = Set.of("vllm", "sglang", "trtllm");
  static final String VALID_INPUTS = "http, text, dyn://<namespace>.<component>.<endpoint>, batch:<path>";

  static final int MAX_REPLICAS = 1000;
  static final int MAX_LABEL = 63;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern DYN_INPUT = Pattern.compile("dyn://[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

  /** What validation produced: the graph (null on any error) and where each field was written. */
  record Result(Graph graph, SourceMap positions) {}

  private final ParameterRules parameters = new ParameterRules(this);
  private final ComponentFieldRules fields = new ComponentFieldRules(this);

  GraphValidator(Problems problems) {
    super(problems);
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
    List<ParameterRules.RawParameter> raw = new ArrayList<>();
    Entry runConfig = require(f, "run_config", m, path);
    for (Entry e : f.values()) {
      if (e == runConfig) {
        String rc = child(path, "run_config");
        if (!(e.value() instanceof MappingNode rcMap)) {
          problems.error(e.keyNode(), rc, "expected a mapping with input, output and engine parameters, got " + describe(e.value()));
          continue;
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Entry p : Fields.entries(rcMap)) {
          if (!seen.add(p.key())) continue; // a duplicate key, already reported; the first one counts
          switch (p.key()) {
            case "input" -> input = input(p, child(rc, "input"));
            case "output" -> output = output(p, child(rc, "output"));
            case "parameters" -> parameters.collect(p, child(rc, "parameters"), raw);
            default -> raw.add(new ParameterRules.RawParameter(p, child(rc, p.key()), true));
          }
        }
        if (firstEntry(rcMap, "input") == null) missing(rcMap, child(rc, "input"));
        if (firstEntry(rcMap, "output") == null) missing(rcMap, child(rc, "output"));
      } else if (e.key().equals("parameters")) {
        parameters.collect(e, child(path, "parameters"), raw);
      }
    }
    LinkedHashMap<String, ParameterRules.RawParameter> merged = parameters.merge(raw);
    MultiNode multiNode = parameters.multiNode(merged);
    int replicas = positiveInt(f.get("replicas"), child(path, "replicas"), 1, MAX_REPLICAS);
    Resources resources = fields.resources(f.get("resources"), child(path, "resources"));
    parameters.checkTensorParallel(merged.get(ParameterRules.TENSOR_PARALLEL_SIZE), resources, multiNode);
    if (output != null && GPU_ENGINES.contains(output) && resources != null && resources.gpu() == 0) {
      Entry rc = runConfig;
      Entry out = rc != null && rc.value() instanceof MappingNode rm ? firstEntry(rm, "output") : null;
      problems.warning(out == null ? m : out.keyNode(), child(path, "run_config.output"),
          "engine " + output + " normally needs GPUs, but resources.gpu is 0");
    }
    List<EnvVar> environment = fields.environment(f.get("environment"), child(path, "environment"));
    List<String> secrets = fields.secrets(f.get("secrets"), child(path, "secrets"));
    Map<String, String> nodeSelector = fields.nodeSelector(f.get("node_selector"), child(path, "node_selector"));
    Readiness readiness = fields.readiness(f.get("readiness"), child(path, "readiness"));

    if (errorCount() > before) return null;
    List<Parameter> engineParameters = new ArrayList<>();
    for (ParameterRules.RawParameter p : merged.values()) engineParameters.add(p.toParameter());
    return new Component(name, image, cmd, input, output, engineParameters, replicas, resources, environment, secrets,
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
      problems.error(e.keyNode(), path, what + " " + Fields.quote(name) + " may contain only letters, digits, '_', '-' and '.'");
      return null;
    }
    String derived = Names.dnsLabel(name);
    if (derived.isEmpty()) {
      problems.error(e.keyNode(), path, what + " " + Fields.quote(name) + " has no letter or digit to derive a Kubernetes name from");
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
      } else if (text(item).contains("${{")) {
        problems.error(item, path + "[" + i + "]", ParameterRules.SECRETS_ONLY_IN_ENVIRONMENT);
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
      problems.error(e.keyNode(), path, "expected dyn://<namespace>.<component>.<endpoint> (three names of letters, digits, '_' or '-'), got " + Fields.quote(in));
      return null;
    }
    if (kind == InputKind.BATCH && in.substring("batch:".length()).isBlank()) {
      problems.error(e.keyNode(), path, "expected batch:<path> with the path of a prompts file, got " + Fields.quote(in));
      return null;
    }
    if (kind == null) {
      String hint = Suggestions.closest(in, List.of("http", "text"));
      problems.error(e.keyNode(), path, "unknown input " + Fields.quote(in) + (hint == null ? "" : "; did you mean \"" + hint + "\"?")
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
      problems.error(e.keyNode(), path, "unknown output " + Fields.quote(out) + (hint == null ? "" : "; did you mean \"" + hint + "\"?")
          + " (valid: " + String.join(", ", OUTPUTS) + ")");
      return null;
    }
    return out;
  }

}
