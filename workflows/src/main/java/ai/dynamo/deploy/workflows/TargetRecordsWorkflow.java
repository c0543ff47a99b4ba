package ai.dynamo.deploy.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Reads a graph's records from its target: what {@code dynamo deploy history} shows and where
 * {@code rollback --to-revision} finds the spec to deploy again. A workflow because only workers reach targets
 * (they hold the SSH keys and kubeconfigs); one short activity.
 */
@WorkflowInterface
public interface TargetRecordsWorkflow {
  @WorkflowMethod(name = "records")
  TargetRecords read(RecordsRequest request);
}
