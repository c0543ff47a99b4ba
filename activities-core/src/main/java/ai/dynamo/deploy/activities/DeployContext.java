package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.UninstallRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.util.Map;

/**
 * Everything a target needs to know about the deploy a step belongs to.
 *
 * @param request the deploy's request (normalised IR, target, options), read from the workflow's start event
 * @param workflowId the deploy's workflow ID (stable per graph and place; usable as an identity in job comments)
 * @param runId the deploy's run ID
 */
public record DeployContext(DeployRequest request, String workflowId, String runId) {

  /**
   * The context of a call that is not part of a deploy (records, logs): the graph with its name only, no
   * components, and the deploy's workflow ID at that place.
   */
  public static DeployContext named(String graph, TargetSpec target, String startedBy) {
    DeployRequest request = new UninstallRequest(graph, target, false, startedBy).asDeployRequest();
    return new DeployContext(request, DeployIds.workflowId(target.kind(), target.location(), graph), "");
  }

  public Graph graph() {
    return request.graph();
  }

  public TargetSpec target() {
    return request.target();
  }

  public Map<String, String> settings() {
    return request.target().settings();
  }

  /** A setting, or the default when absent or blank. */
  public String setting(String key, String defaultValue) {
    String value = settings().get(key);
    return value == null || value.isBlank() ? defaultValue : value;
  }

  public Component component(String name) {
    return graph().components().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> TargetFailure.invalidIr("graph " + graph().name() + " has no component " + name));
  }
}
