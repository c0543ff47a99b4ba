package ai.dynamo.deploy.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Reads a graph's records from its target on a worker: where {@code rollback --to-revision} finds the spec to deploy
 * again, read with the worker's own view of the place (its SSH keys and kubeconfig), as the deploy that follows
 * applies it; one short activity. {@code dynamo deploy history} reads the records from the CLI itself, with the
 * user's credentials (cli {@code ReadHistory}); clients before that change still start this workflow for it.
 */
@WorkflowInterface
public interface TargetRecordsWorkflow {
  @WorkflowMethod(name = "records")
  TargetRecords read(RecordsRequest request);
}
