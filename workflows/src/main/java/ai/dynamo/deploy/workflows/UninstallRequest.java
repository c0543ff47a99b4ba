package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;
import java.util.List;

/**
 * What {@code dynamo deploy uninstall} removes: one graph at one place.
 *
 * @param graph graph name
 * @param target kind, location and the settings that reach the target (the deploy's own, from its memo or start
 *     event); settings never hold secrets
 * @param keepHistory keep the target's revision records (Kubernetes: the revision Secrets, marked uninstalled);
 *     otherwise they go with the rest
 * @param startedBy who uninstalls (user@host), recorded on the target
 */
public record UninstallRequest(String graph, TargetSpec target, boolean keepHistory, String startedBy) {

  /**
   * The request as a target sees a deploy's: the graph with its name only (no components: an uninstall removes
   * what the target's own labels and records say is the graph's) and the options naming who.
   */
  public DeployRequest asDeployRequest() {
    return new DeployRequest(new Graph("1.0", graph, List.of()), "", target, DeployOptions.defaults(startedBy));
  }
}
