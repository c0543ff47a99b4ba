package ai.dynamo.deploy.workflows;

/** One {@code ReadRecords} activity: the target's own records of a graph (history, a recorded spec). */
public class TargetRecordsWorkflowImpl implements TargetRecordsWorkflow {
  @Override
  public TargetRecords read(RecordsRequest request) {
    String summary = "read records of " + request.graph() + " on " + TargetLabels.of(request.target());
    return DeploySteps.stub(ActivityPolicies.preflight(), summary).readRecords(request);
  }
}
