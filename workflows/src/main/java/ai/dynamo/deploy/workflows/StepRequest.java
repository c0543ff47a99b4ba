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
 * @param held an apply that submits the component with the wave before its own, its start held until the apply of
 *     its own wave releases it (docs/workflow.md "Held starts"); false in every other step
 * @param together how many applies the workflow started at the same moment as this one, this one included (a target
 *     may join them into one command); 0 when not said (later stages, runs from before held starts)
 */
public record StepRequest(int revision, String component, Stage stage, Duration timeout, ComponentChange change,
    boolean held, int together) {
  public StepRequest(int revision, String component, Stage stage, Duration timeout, ComponentChange change) {
    this(revision, component, stage, timeout, change, false, 0);
  }

  public StepRequest(int revision, String component, Stage stage, Duration timeout) {
    this(revision, component, stage, timeout, null);
  }

  public static StepRequest apply(int revision, String component, Stage stage) {
    return new StepRequest(revision, component, stage, null, null);
  }

  public static StepRequest apply(int revision, String component, Stage stage, ComponentChange change) {
    return new StepRequest(revision, component, stage, null, change);
  }

  /** This apply, saying how many the workflow started with it. */
  public StepRequest startedWith(int applies) {
    return new StepRequest(revision, component, stage, timeout, change, held, applies);
  }

  /** The held apply of the first stage of a component of the next wave. */
  public static StepRequest held(int revision, String component, Stage stage, ComponentChange change, int together) {
    return new StepRequest(revision, component, stage, null, change, true, together);
  }
}
