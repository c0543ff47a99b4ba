package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.DeployTargets;
import ai.dynamo.deploy.activities.slurm.SlurmError;
import ai.dynamo.deploy.activities.slurm.SlurmSettings;
import ai.dynamo.deploy.activities.slurm.SshEndpoints;
import ai.dynamo.deploy.activities.slurm.SshHostSpec;
import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.UpdateSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The target of a command: its kind and settings, merged from the profile file (if any) and the flags (which
 * win), and the location that goes into the workflow ID.
 *
 * @param kind {@code k8s}, {@code slurm}, or a kind a jar on the class path contributes
 *     ({@code DeployTargets.contributed()}: the tests' fake target)
 * @param settings the merged settings, sorted by key
 */
public record TargetChoice(String kind, Map<String, String> settings) {
  public static final String K8S = "k8s";
  public static final String SLURM = "slurm";

  public TargetChoice {
    settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /**
   * @param kind the {@code --target} value
   * @param profile {@code --profile FILE}, or null
   * @param flags settings given as flags; null values are ignored
   */
  public static TargetChoice of(String kind, Path profile, Map<String, String> flags) {
    return of(kind, profile, flags, Map.of());
  }

  /**
   * @param fallbacks settings used only when neither the profile nor a flag gives them (the kubeconfig context's
   *     namespace)
   */
  public static TargetChoice of(String kind, Path profile, Map<String, String> flags, Map<String, String> fallbacks) {
    if (!isBuiltIn(kind) && !contributed().contains(kind)) {
      List<String> valid = new ArrayList<>(List.of(K8S, SLURM));
      valid.addAll(contributed());
      throw new UserError(ExitCodes.INVALID,
          "error: unknown target \"" + kind + "\" (valid targets: " + String.join(", ", valid) + ")");
    }
    Map<String, String> merged = new LinkedHashMap<>();
    if (profile != null) merged.putAll(TargetProfile.read(profile, kind));
    flags.forEach((key, value) -> {
      if (value != null) merged.put(key, value);
    });
    fallbacks.forEach((key, value) -> {
      if (value != null) merged.putIfAbsent(key, value);
    });
    String sshHost = merged.get(TargetSettingKeys.SLURM_SSH_HOST);
    if (kind.equals(SLURM) && sshHost != null) {
      try {
        SshHostSpec.parse(sshHost); // a bad destination stops every command here, rendering included
      } catch (SlurmError e) {
        throw new UserError(ExitCodes.INVALID, "error: --ssh-host: " + e.getMessage());
      }
    }
    return new TargetChoice(kind, merged);
  }

  /** Refuses a setting that does not belong to the target kind (e.g. --partition with --target k8s). */
  public static void checkFlagsApply(String kind, Map<String, String> flags) {
    checkFlagsApply(kind, false, flags, Map.of());
  }

  /**
   * Refuses a setting that does not belong to the target kind, naming the flag it came from and the
   * {@code --target} it belongs to: {@code --partition applies to --target slurm, not --target k8s}.
   *
   * @param byDefault the kind is the default (no --target given): the message says to add the right one
   * @param origin the flag each setting came from ({@code --partition}, {@code --set key}); the key when absent
   */
  public static void checkFlagsApply(String kind, boolean byDefault, Map<String, String> flags,
      Map<String, String> origin) {
    java.util.Set<String> allowed = TargetProfile.KEYS.get(kind);
    if (allowed == null) return; // a contributed target takes any setting
    flags.forEach((key, value) -> {
      if (value == null || allowed.contains(key) || UpdateSettings.isUpdateSetting(key)) return;
      String flag = origin.getOrDefault(key, "setting \"" + key + "\"");
      String owner = TargetProfile.KEYS.entrySet().stream().filter(e -> e.getValue().contains(key))
          .map(Map.Entry::getKey).findFirst().orElse(null);
      if (owner == null) {
        String close = ai.dynamo.deploy.ir.Suggestions.closest(key, allowed);
        throw new UserError(ExitCodes.INVALID, "error: " + flag + ": no such setting for --target " + kind
            + (close == null ? "" : "; did you mean " + close + "?")
            + " (its settings: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
      throw new UserError(ExitCodes.INVALID, "error: " + flag + " applies to --target " + owner + ", not --target "
          + kind + (byDefault ? " (the default): add --target " + owner : ""));
    });
  }

  /**
   * Where within the target kind the deploy goes: the Kubernetes namespace (prefixed with the API server's
   * {@code host:port} with {@code --kubeconfig}, else with the context when one is given), the Slurm login node as
   * {@code user@hostname:port} after the ssh config ({@link #loginNode}), or a contributed target's {@code location}
   * setting.
   *
   * @throws UserError when a Slurm target has no login host or a bad ssh config
   */
  public String location() {
    return switch (kind) {
      case K8S -> {
        String namespace = settings.getOrDefault(TargetSettingKeys.K8S_NAMESPACE, "default");
        String context = settings.get(TargetSettingKeys.K8S_CONTEXT);
        String server = settings.get(TargetSettingKeys.K8S_SERVER);
        // With --kubeconfig the cluster is named by its API server: two clusters never share a deploy ID.
        if (server != null && !server.isBlank()) yield KubeconfigIdentity.hostPort(server) + "/" + namespace;
        yield context == null || context.isBlank() ? namespace : context + "/" + namespace;
      }
      case SLURM -> loginNode().location();
      default -> settings.getOrDefault(TargetSettingKeys.LOCATION, "local");
    };
  }

  /** Whether the kind is one of ours ({@code k8s}, {@code slurm}): rendered, checked and documented. */
  public static boolean isBuiltIn(String kind) {
    return kind.equals(K8S) || kind.equals(SLURM);
  }

  /** Whether this choice's kind is one of ours (see {@link #isBuiltIn(String)}). */
  public boolean builtIn() {
    return isBuiltIn(kind);
  }

  /** Kinds that jars on the class path contribute, in class path order (none in the shipped jar). */
  static List<String> contributed() {
    return DeployTargets.contributed().stream().map(DeployTarget::kind).toList();
  }

  /** The workflow ID of a graph's deploy at this target and location. */
  public String workflowId(String graphName) {
    return DeployIds.workflowId(kind, location(), graphName);
  }

  public TargetSpec spec() {
    return new TargetSpec(kind, location(), settings);
  }

  /**
   * The login node as the worker will reach it: {@code user@hostname:port} after the ssh config (the
   * {@code sshConfig} setting, else ~/.ssh/config, read here on the client), so an alias and the name it stands for
   * are one place; and the config's warnings (keys the deployer does not support, with file and line).
   */
  public record LoginNode(String location, String route, List<String> warnings) {}

  /** @throws UserError (exit 2) without a login host, or with a bad value in the ssh config */
  public LoginNode loginNode() {
    String sshHost = settings.get(TargetSettingKeys.SLURM_SSH_HOST);
    if (sshHost == null || sshHost.isBlank()) {
      throw new UserError(ExitCodes.INVALID, "error: a Slurm deploy needs the login node: give --ssh-host "
          + SshHostSpec.FORMS + ", or sshHost in the --profile file");
    }
    try {
      SshEndpoints endpoints = SlurmSettings.endpoints(settings);
      var endpoint = endpoints.resolve(sshHost);
      return new LoginNode(endpoint.display(), endpoint.route(), endpoints.warnings());
    } catch (SlurmError e) {
      throw new UserError(ExitCodes.INVALID, "error: --ssh-host " + sshHost + ": " + e.getMessage());
    }
  }
}
