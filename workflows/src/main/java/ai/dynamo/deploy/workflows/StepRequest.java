package ai.dynamo.deploy.workflows;

import java.time.Duration;

/**
 * One step on one component: small on purpose (the IR is not repeated in every activity's input; activities read
 * it from the workflow's start event, see {@code DeployActivities}).
 *
 * @param revision the revision being deployed
 * @param component component name
 * @param stage which part of the component
 * @param timeout for readiness waits, the time the stage may take (counted from the first attempt); null for apply
 * @param change what the update planning decided for the component (strategy, nodes to avoid); null in deploys
 *     started before per-component updates (then the target replaces blue/green, as it always did)
 */
public record StepRequest(int revision, String component, Stage stage, Duration timeout, ComponentChange change) {
  public StepRequest(int revision, String component, Stage stage, Duration timeout) {
    this(revision, component, stage, timeout, null);
  }

  public static StepRequest apply(int revision, String component, Stage stage) {
    return new StepRequest(revision, component, stage, null, null);
  }

  public static StepRequest apply(int revision, String component, Stage stage, ComponentChange change) {
    return new StepRequest(revision, component, stage, null, change);
  }
}
