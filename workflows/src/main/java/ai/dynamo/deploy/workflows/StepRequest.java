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
 */
public record StepRequest(int revision, String component, Stage stage, Duration timeout) {
  public static StepRequest apply(int revision, String component, Stage stage) {
    return new StepRequest(revision, component, stage, null);
  }
}
