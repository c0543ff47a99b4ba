package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.client.DeployMemo;
import ai.dynamo.deploy.client.DeployResolver;
import ai.dynamo.deploy.render.TargetSettings;
import ai.dynamo.deploy.ir.ShellQuote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command-line words that pick one place of a graph and reach it: its target flags with every reach setting the
 * deploy was started with ({@link DeployMemo#REACH_SETTINGS}: {@code logs} with these flags reads without asking
 * Temporal, so a missing {@code --ssh-key} would not get in), or its workflow ID when flags cannot name it. Words are
 * shell-quoted where needed, so the command runs as shown.
 */
public final class PlaceFlags {
  private PlaceFlags() {}

  /** e.g. {@code demo --target slurm --ssh-host alice@login1:22 --ssh-key /k}, {@code demo --target k8s -n llm}. */
  public static String pick(String graph, DeployResolver.Place place) {
    List<String> flags = flags(place.memo());
    List<String> words = new ArrayList<>();
    if (flags == null) {
      words.add(place.workflowId());
    } else {
      words.add(graph);
      words.addAll(flags);
    }
    return words.stream().map(ShellQuote::word).collect(Collectors.joining(" "));
  }

  /** The flags that name and reach the memo's place, or null when no flags can (a kubeconfig's API server). */
  static List<String> flags(DeployMemo memo) {
    Map<String, String> s = memo.reach();
    List<String> flags = new ArrayList<>(List.of("--target", memo.kind()));
    switch (memo.kind()) {
      case TargetChoice.K8S -> {
        if (s.containsKey(TargetSettings.K8S_SERVER)) return null;
        add(flags, "-n", s.getOrDefault(TargetSettings.K8S_NAMESPACE, "default"));
        add(flags, "--context", s.get(TargetSettings.K8S_CONTEXT));
      }
      case TargetChoice.SLURM -> {
        add(flags, "--ssh-host", s.getOrDefault(TargetSettings.SLURM_SSH_HOST, memo.location()));
        add(flags, "--ssh-config", s.get(TargetSettings.SLURM_SSH_CONFIG));
        add(flags, "--ssh-key", s.get(TargetSettings.SLURM_SSH_KEY));
        add(flags, "--known-hosts", s.get(TargetSettings.SLURM_KNOWN_HOSTS));
        if ("true".equals(s.get(TargetSettings.SLURM_ACCEPT_NEW_HOST_KEY))) flags.add("--accept-new-host-key");
        add(flags, "--remote-dir", s.get(TargetSettings.SLURM_REMOTE_DIR));
      }
      default -> {
        if (!s.containsKey(TargetChoice.LOCATION)) return null;
        add(flags, "--set", TargetChoice.LOCATION + "=" + s.get(TargetChoice.LOCATION));
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
