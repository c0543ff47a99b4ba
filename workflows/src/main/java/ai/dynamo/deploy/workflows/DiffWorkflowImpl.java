package ai.dynamo.deploy.workflows;

/** Validate, then one {@code Diff} activity: nothing is applied, nothing recorded. */
public class DiffWorkflowImpl implements DiffWorkflow {
  @Override
  public DeployDiff diff(DeployRequest request) {
    DeploySteps steps = new DeploySteps(request.graph().name(), TargetLabels.of(request.target()));
    steps.validate();
    return steps.diff();
  }
}
