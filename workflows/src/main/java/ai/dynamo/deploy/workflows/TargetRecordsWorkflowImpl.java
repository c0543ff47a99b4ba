package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

public class TargetRecordsWorkflowImpl implements TargetRecordsWorkflow {
  @Override
  public TargetRecords read(RecordsRequest request) {
    DeployActivities activities =
        Workflow.newActivityStub(
            DeployActivities.class,
            ActivityOptions.newBuilder(ActivityPolicies.preflight())
                .setSummary("read records of " + request.graph() + " on " + TargetLabels.of(request.target()))
                .build());
    return activities.readRecords(request);
  }
}
