package ai.dynamo.deploy.workflows;

import static ai.dynamo.deploy.ir.TargetSettingKeys.K8S_CONTEXT;
import static ai.dynamo.deploy.ir.TargetSettingKeys.K8S_NAMESPACE;
import static ai.dynamo.deploy.ir.TargetSettingKeys.K8S_SERVER;
import static ai.dynamo.deploy.ir.TargetSettingKeys.LOCATION;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_ACCEPT_NEW_HOST_KEY;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_KNOWN_HOSTS;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_REMOTE_DIR;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_SSH_CONFIG;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_SSH_HOST;
import static ai.dynamo.deploy.ir.TargetSettingKeys.SLURM_SSH_KEY;

import ai.dynamo.deploy.ir.ShellQuote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command-line words that pick one place of a graph and reach it: its target flags with every reach setting the
 * deploy was started with (namespace and context; the Slurm login, ssh config, key and known_hosts files, remote
 * directory: {@code logs} with these flags reads without asking Temporal, so a missing {@code --ssh-key} would not get
 * in), or its workflow ID when flags cannot name it. Words are shell-quoted where needed, so the command runs as
 * shown. Pure (no I/O), so the workflow's paused message and the CLI's "deployed in N places" listing share it.
 * Settings hold no secret values (secrets are references; key files are paths), and only {@link #REACH_SETTINGS} are
 * read.
 */
public final class PlaceFlags {
  // The target kinds of cli's TargetChoice (and each target's KIND), which this module cannot see.
  static final String K8S = "k8s";
  static final String SLURM = "slurm";

  /**
   * Setting keys that locate and reach a place: all that {@link #flags} reads. Settings other than these (what shapes
   * the jobs or objects) never get into a suggested command.
   */
  public static final Set<String> REACH_SETTINGS = Set.of(K8S_NAMESPACE, K8S_CONTEXT, K8S_SERVER, SLURM_SSH_HOST,
      SLURM_SSH_CONFIG, SLURM_SSH_KEY, SLURM_KNOWN_HOSTS, SLURM_ACCEPT_NEW_HOST_KEY, SLURM_REMOTE_DIR, LOCATION);

  private PlaceFlags() {}

  /**
   * e.g. {@code demo --target slurm --ssh-host alice@login1:22 --ssh-key /k}, {@code demo --target k8s -n llm}, or
   * {@code deploy/k8s/10.0.0.1:6443/llm/demo} (the workflow ID) where no flags name the place.
   *
   * @param workflowId the deploy's workflow ID, used when flags cannot name the place
   * @param place the place's kind, location and the settings the deploy was started with
   */
  public static String pick(String graph, String workflowId, TargetSpec place) {
    List<String> flags = flags(place);
    List<String> words = new ArrayList<>();
    if (flags == null) {
      words.add(workflowId);
    } else {
      words.add(graph);
      words.addAll(flags);
    }
    return words.stream().map(ShellQuote::word).collect(Collectors.joining(" "));
  }

  /** The flags (unquoted) that name and reach the place, or null when no flags can (a kubeconfig's API server). */
  static List<String> flags(TargetSpec place) {
    Map<String, String> s = place.settings();
    List<String> flags = new ArrayList<>(List.of("--target", place.kind()));
    switch (place.kind()) {
      case K8S -> {
        if (s.containsKey(K8S_SERVER)) return null;
        add(flags, "-n", s.getOrDefault(K8S_NAMESPACE, "default"));
        add(flags, "--context", s.get(K8S_CONTEXT));
      }
      case SLURM -> {
        add(flags, "--ssh-host", s.getOrDefault(SLURM_SSH_HOST, place.location()));
        add(flags, "--ssh-config", s.get(SLURM_SSH_CONFIG));
        add(flags, "--ssh-key", s.get(SLURM_SSH_KEY));
        add(flags, "--known-hosts", s.get(SLURM_KNOWN_HOSTS));
        if ("true".equals(s.get(SLURM_ACCEPT_NEW_HOST_KEY))) flags.add("--accept-new-host-key");
        add(flags, "--remote-dir", s.get(SLURM_REMOTE_DIR));
      }
      default -> {
        if (!s.containsKey(LOCATION)) return null;
        add(flags, "--set", LOCATION + "=" + s.get(LOCATION));
      }
    }
    return flags;
  }

  private static void add(List<String> flags, String flag, String value) {
    if (value == null) return;
    flags.add(flag);
    flags.add(value);
  }
}
