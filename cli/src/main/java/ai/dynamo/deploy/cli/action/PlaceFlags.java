package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.client.DeployMemo;
import ai.dynamo.deploy.client.DeployResolver;
import ai.dynamo.deploy.render.TargetSettings;
import java.util.Map;

/** The command-line words that pick one place of a graph: its target flags, or its workflow ID when flags cannot. */
public final class PlaceFlags {
  private PlaceFlags() {}

  /** e.g. {@code demo --target slurm --ssh-host alice@login1:22}, {@code demo --target k8s -n llm}. */
  public static String pick(String graph, DeployResolver.Place place) {
    DeployMemo memo = place.memo();
    Map<String, String> s = memo.settings();
    String flags = switch (memo.kind()) {
      case TargetChoice.K8S -> s.containsKey(TargetSettings.K8S_SERVER) ? null
          : "--target k8s -n " + s.getOrDefault(TargetSettings.K8S_NAMESPACE, "default")
              + (s.containsKey(TargetSettings.K8S_CONTEXT) ? " --context " + s.get(TargetSettings.K8S_CONTEXT) : "");
      case TargetChoice.SLURM -> "--target slurm --ssh-host " + s.getOrDefault(TargetSettings.SLURM_SSH_HOST,
          memo.location());
      default -> s.containsKey(TargetChoice.LOCATION)
          ? "--target " + memo.kind() + " --set " + TargetChoice.LOCATION + "=" + s.get(TargetChoice.LOCATION) : null;
    };
    return flags == null ? place.workflowId() : graph + " " + flags;
  }
}
