package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.DeployWorkflow;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.SpecDigest;
import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.SearchAttributeKey;
import java.util.Set;
import java.util.Optional;

/**
 * Client side of starting a deploy: one deploy per graph and place (the workflow ID), attach when the same spec is
 * already running, refuse a different spec while one runs. Used by {@code dynamo deploy}.
 *
 * <p>Sets at start: the static summary {@code deploy <graph> -> <kind@location>} (the revision is not known
 * before the preflight; it shows in the current details and in {@code DynamoRevision}), the memo
 * ({@code specDigest} and {@link DeployMemo}: target, location, reach settings), and the typed search attributes {@code DynamoGraph}, {@code DynamoTarget},
 * {@code DynamoPhase}, {@code DynamoRevision}: each only when the server has it registered (asked with the
 * operator service's ListSearchAttributes), so deploys work on servers without them.
 */
public final class DeployStarter {
  private DeployStarter() {}

  /**
   * @param workflowId the deploy's workflow ID
   * @param runId the run now deploying this spec
   * @param attached true when that run was already running (same spec) and nothing new was started
   */
  public record Started(String workflowId, String runId, boolean attached) {
    /** A stub of this run, e.g. for {@link DeployOutcomes#await}. */
    public WorkflowStub stub(WorkflowClient client) {
      return client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty());
    }
  }

  public static String workflowId(DeployRequest request) {
    return DeployIds.workflowId(
        request.target().kind(), request.target().location(), request.graph().name());
  }

  /** {@code deploy dynamo-graph -> slurm@login1}, the workflow's static summary in the Temporal UI. */
  public static String staticSummary(DeployRequest request) {
    return "deploy " + request.graph().name() + " -> " + TargetLabels.of(request.target());
  }

  /** Starts the deploy, or attaches to the running one with the same spec; refuses a different spec. */
  public static Started startOrAttach(WorkflowClient client, DeployRequest request) {
    return startOrAttach(client, request, null);
  }

  /**
   * As {@link #startOrAttach(WorkflowClient, DeployRequest)}, with the registered search attribute names given
   * (null: ask the server). For servers whose operator service cannot be asked (and for tests).
   */
  public static Started startOrAttach(WorkflowClient client, DeployRequest request, Set<String> registered) {
    String workflowId = workflowId(request);
    WorkflowExecutionDescription running = describeRunning(client, workflowId);
    if (running != null) {
      return attachOrRefuse(client, running, request, workflowId);
    }
    Set<String> keys = registered != null ? registered : registeredSearchAttributes(client);
    WorkflowExecution execution = start(client, request, workflowId, keys);
    // USE_EXISTING returns a run another client started a moment ago: check its spec as well.
    WorkflowExecutionDescription now = client
            .newUntypedWorkflowStub(workflowId, Optional.of(execution.getRunId()), Optional.empty())
            .describe();
    String digest = memoDigest(now);
    if (digest != null && !sameSpec(digest, request)) {
      throw conflict(client, now, workflowId);
    }
    return new Started(workflowId, execution.getRunId(), false);
  }

  private static Started attachOrRefuse(WorkflowClient client,
      WorkflowExecutionDescription running, DeployRequest request, String workflowId) {
    if (sameSpec(memoDigest(running), request)) {
      return new Started(workflowId, running.getExecution().getRunId(), true);
    }
    throw conflict(client, running, workflowId);
  }

  /**
   * Whether a running deploy's spec digest is this request's: today's digest, or the one a version before the stable
   * graph digest computed for the same request ({@link SpecDigest#previousForm}), so an upgrade does not make the
   * same file look like a different spec.
   */
  static boolean sameSpec(String runningDigest, DeployRequest request) {
    return runningDigest != null && (runningDigest.equals(request.specDigest())
        || runningDigest.equals(SpecDigest.previousForm(request.graph(), request.target())));
  }

  /** Refuses a different spec while a run holds the place, saying whether it is paused or running. */
  private static DeployConflictException conflict(WorkflowClient client, WorkflowExecutionDescription running,
      String workflowId) {
    RunningDeploy held = RunningDeploy.of(client, running);
    return new DeployConflictException(held.what() + ", with a different spec than this one; " + held.nextSteps()
        + (held.paused() ? ", then run this command again" : ""), workflowId, running.getExecution().getRunId(),
        held.paused());
  }

  private static WorkflowExecution start(
      WorkflowClient client, DeployRequest request, String workflowId, Set<String> registered) {
    WorkflowOptions options = options(workflowId, staticSummary(request), request.graph().name(), request.target(),
        request.specDigest(), Phase.VALIDATING, registered)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .build();
    DeployWorkflow workflow = client.newWorkflowStub(DeployWorkflow.class, options);
    return WorkflowClient.start(workflow::deploy, request);
  }

  /**
   * The options every run of a deploy's workflow ID starts with (a deploy, an uninstall): task queue, summary, the
   * memo ({@link DeployMemo}: the target and how to reach it, and the spec digest when there is one) and the typed
   * search attributes the server has registered.
   */
  static WorkflowOptions.Builder options(String workflowId, String summary, String graph, TargetSpec target,
      String specDigest, Phase phase, Set<String> registered) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder();
    setIfRegistered(attributes, registered, DeploySearchAttributes.GRAPH, graph);
    setIfRegistered(attributes, registered, DeploySearchAttributes.TARGET, TargetLabels.of(target));
    setIfRegistered(attributes, registered, DeploySearchAttributes.PHASE, phase.name());
    setIfRegistered(attributes, registered, DeploySearchAttributes.REVISION, 0L);
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(DeployIds.TASK_QUEUE)
        .setStaticSummary(summary)
        .setMemo(DeployMemo.of(target).entries(specDigest))
        .setTypedSearchAttributes(attributes.build());
  }

  /** The running execution of a workflow ID, or null when none runs. */
  static WorkflowExecutionDescription describeRunning(WorkflowClient client, String workflowId) {
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
      WorkflowExecutionDescription d = stub.describe();
      return d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? d : null;
    } catch (WorkflowServiceException e) {
      if (e.getCause() instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    } catch (io.temporal.client.WorkflowNotFoundException e) {
      return null;
    }
  }

  static String memoDigest(WorkflowExecutionDescription d) {
    Object value = d.getMemo(DeploySearchAttributes.MEMO_SPEC_DIGEST, String.class);
    return value == null ? null : value.toString();
  }

  private static <T> void setIfRegistered(
      SearchAttributes.Builder attributes, Set<String> registered, SearchAttributeKey<T> key, T value) {
    if (registered.contains(key.getName())) attributes.set(key, value);
  }

  /**
   * Names of the search attributes the server has registered in the client's namespace; empty when the server does
   * not tell: deploys then run without search attributes.
   */
  public static Set<String> registeredSearchAttributes(WorkflowClient client) {
    return SearchAttributeRegistration.registered(client.getWorkflowServiceStubs(), client.getOptions().getNamespace())
        .orElse(Set.of());
  }
}
