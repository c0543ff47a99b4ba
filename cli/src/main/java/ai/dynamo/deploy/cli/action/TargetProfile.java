package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.k8s.K8sRenderer;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.UpdateStrategy;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A target profile file ({@code --profile FILE}): target settings the IR does not hold, one section per target
 * kind, keyed by the names in {@link TargetSettingKeys}:
 *
 * <pre>
 * k8s:
 *   namespace: team-a
 *   imagePullSecrets: [ngc-registry]
 *   podLabels: {team: llm}
 * slurm:
 *   sshHost: alice@login1
 *   partition: gpu
 *   sbatchExtra: ["--qos=high"]
 * </pre>
 *
 * Both sections also take the update settings: {@code strategy} (auto, recreate, blue-green),
 * {@code blueGreenGraceSeconds}, and per component {@code components: {decode: {strategy: recreate}}}.
 *
 * Every mistake is reported with file, line, column and field, like graph files.
 */
public final class TargetProfile {
  private TargetProfile() {}

  /** Keys a section may hold; a contributed target (the tests' fake) takes any key. */
  static final Map<String, Set<String>> KEYS =
      Map.of(
          "k8s",
              Set.of(
                  TargetSettingKeys.K8S_NAMESPACE,
                  TargetSettingKeys.K8S_CONTEXT,
                  TargetSettingKeys.K8S_SERVER,
                  TargetSettingKeys.K8S_CREATE_NAMESPACE,
                  TargetSettingKeys.K8S_FORCE_CONFLICTS,
                  TargetSettingKeys.K8S_UNSCHEDULABLE_GRACE_SECONDS,
                  TargetSettingKeys.K8S_MULTINODE,
                  TargetSettingKeys.K8S_TOLERATIONS,
                  TargetSettingKeys.K8S_GPU_TOLERATIONS,
                  TargetSettingKeys.K8S_IMAGE_PULL_SECRETS,
                  TargetSettingKeys.K8S_SERVICE_ACCOUNT,
                  TargetSettingKeys.K8S_PRIORITY_CLASS,
                  TargetSettingKeys.K8S_RUNTIME_CLASS,
                  TargetSettingKeys.K8S_SCHEDULER,
                  TargetSettingKeys.K8S_POD_LABELS,
                  TargetSettingKeys.K8S_POD_ANNOTATIONS,
                  UpdateSettings.STRATEGY,
                  UpdateSettings.BLUE_GREEN_GRACE_SECONDS),
          "slurm",
              Set.of(
                  TargetSettingKeys.SLURM_SSH_HOST,
                  TargetSettingKeys.SLURM_SSH_KEY,
                  TargetSettingKeys.SLURM_SSH_CONFIG,
                  TargetSettingKeys.SLURM_KNOWN_HOSTS,
                  TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY,
                  TargetSettingKeys.SLURM_PARTITION,
                  TargetSettingKeys.SLURM_ACCOUNT,
                  TargetSettingKeys.SLURM_TIME,
                  TargetSettingKeys.SLURM_SBATCH_EXTRA,
                  TargetSettingKeys.SLURM_REMOTE_DIR,
                  TargetSettingKeys.SLURM_CONTAINER,
                  TargetSettingKeys.SLURM_HELD_STARTS,
                  UpdateSettings.STRATEGY,
                  UpdateSettings.BLUE_GREEN_GRACE_SECONDS));

  /** The section key holding per-component settings: {@code components: {NAME: {strategy: ...}}}. */
  static final String COMPONENTS = "components";

  /**
   * Reads the section for one target kind; other sections are checked too, so a typo anywhere is reported.
   *
   * @return the settings of {@code kind}, in file order; a list value (sbatchExtra) becomes newline-joined lines
   */
  public static Map<String, String> read(Path file, String kind) {
    Node root;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = new Yaml(new LoaderOptions()).compose(reader);
    } catch (MarkedYAMLException e) {
      String plain = ai.dynamo.deploy.ir.YamlSyntaxWords.describe(e.getContext(), e.getContextMark(), e.getProblem());
      throw error(file, e.getProblemMark(), "", "not valid YAML: " + (plain != null ? plain : e.getProblem()));
    } catch (IOException e) {
      throw new UserError(ExitCodes.INVALID, file + ": cannot read the target profile: " + e.getMessage(), e);
    }
    if (root == null) return Map.of();
    if (!(root instanceof MappingNode sections)) {
      throw error(file, root.getStartMark(), "", "a target profile is a mapping of target kind to settings");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (NodeTuple section : sections.getValue()) {
      String sectionName = scalar(file, section.getKeyNode(), "");
      Set<String> allowed = KEYS.get(sectionName);
      if (allowed == null && !TargetChoice.contributed().contains(sectionName)) {
        throw error(file, section.getKeyNode().getStartMark(), sectionName,
            "unknown target kind (valid: k8s, slurm)");
      }
      if (!(section.getValueNode() instanceof MappingNode settings)) {
        throw error(file, section.getValueNode().getStartMark(), sectionName, "expected a mapping of settings");
      }
      for (NodeTuple setting : settings.getValue()) {
        String key = scalar(file, setting.getKeyNode(), sectionName);
        String field = sectionName + "." + key;
        if (key.equals(COMPONENTS)) {
          Map<String, String> perComponent = components(file, setting.getValueNode(), field);
          if (sectionName.equals(kind)) result.putAll(perComponent);
          continue;
        }
        if (allowed != null && !allowed.contains(key)) {
          throw error(file, setting.getKeyNode().getStartMark(), field,
              "unknown setting (valid for " + sectionName + ": " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }
        String value = value(file, setting.getValueNode(), field, MAP_KEYS.contains(key));
        if (sectionName.equals("k8s")) {
          String problem = K8sRenderer.settingProblem(key, value);
          if (problem != null) throw error(file, setting.getValueNode().getStartMark(), field, problem);
        }
        if (key.equals(UpdateSettings.STRATEGY)) checkStrategy(file, setting.getValueNode(), field, value);
        if (sectionName.equals(kind)) result.put(key, value);
      }
    }
    return result;
  }

  /** {@code components: {decode: {strategy: recreate}}} as {@code strategy.decode=recreate}. */
  private static Map<String, String> components(Path file, Node node, String field) {
    if (!(node instanceof MappingNode byName)) {
      throw error(file, node.getStartMark(), field, "expected a mapping of component name to settings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (NodeTuple component : byName.getValue()) {
      String name = scalar(file, component.getKeyNode(), field);
      String where = field + "." + name;
      if (!(component.getValueNode() instanceof MappingNode settings)) {
        throw error(file, component.getValueNode().getStartMark(), where, "expected a mapping such as {strategy: recreate}");
      }
      for (NodeTuple s : settings.getValue()) {
        String key = scalar(file, s.getKeyNode(), where);
        if (!key.equals(UpdateSettings.STRATEGY)) {
          throw error(file, s.getKeyNode().getStartMark(), where + "." + key,
              "unknown per-component setting (valid: " + UpdateSettings.STRATEGY + ")");
        }
        String value = scalar(file, s.getValueNode(), where + "." + key);
        checkStrategy(file, s.getValueNode(), where + "." + key, value);
        out.put(UpdateSettings.STRATEGY + "." + name, value);
      }
    }
    return out;
  }

  private static void checkStrategy(Path file, Node node, String field, String value) {
    try {
      UpdateStrategy.parse(value);
    } catch (IllegalArgumentException e) {
      throw error(file, node.getStartMark(), field, e.getMessage());
    }
  }

  /** Settings written as a mapping ({@code podLabels: {team: llm}}), kept as {@code KEY=VALUE} lines. */
  static final Set<String> MAP_KEYS = Set.of(TargetSettingKeys.K8S_POD_LABELS, TargetSettingKeys.K8S_POD_ANNOTATIONS);

  private static String value(Path file, Node node, String field, boolean mapping) {
    List<String> lines = new ArrayList<>();
    if (node instanceof SequenceNode list) {
      for (Node item : list.getValue()) lines.add(line(file, item, field));
      return String.join("\n", lines);
    }
    if (mapping && node instanceof MappingNode map) {
      for (NodeTuple entry : map.getValue()) {
        lines.add(line(file, entry.getKeyNode(), field) + "=" + line(file, entry.getValueNode(), field));
      }
      return String.join("\n", lines);
    }
    if (node instanceof MappingNode) {
      throw error(file, node.getStartMark(), field, "expected a single value or a list");
    }
    return scalar(file, node, field);
  }

  /** One entry of a list or mapping setting: a scalar on one line. */
  private static String line(Path file, Node node, String field) {
    String value = scalar(file, node, field);
    if (value.contains("\n")) throw error(file, node.getStartMark(), field, "a list entry must be one line");
    return value;
  }

  private static String scalar(Path file, Node node, String field) {
    if (node instanceof ScalarNode s) return s.getValue();
    throw error(file, node.getStartMark(), field, "expected a single value");
  }

  private static UserError error(Path file, Mark mark, String field, String message) {
    String where = mark == null ? file.toString() : file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    return new UserError(ExitCodes.INVALID, where + ": " + (field.isEmpty() ? "" : field + ": ") + message);
  }
}
