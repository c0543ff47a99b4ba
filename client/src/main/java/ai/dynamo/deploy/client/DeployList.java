package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.client.WorkflowClient;
import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Lists deploys (workflows of type {@code deploy}), newest first. Uses a visibility query where the server has
 * one; Temporal's Java test server lacks ListWorkflowExecutions, so there it lists open and closed runs.
 */
public final class DeployList {
  static final String WORKFLOW_TYPE = "deploy";
  private static final int PAGE = 100;

  private final WorkflowClient client;

  public DeployList(WorkflowClient client) {
    this.client = client;
  }

  /** One row of {@code dynamo deploy list}; also its stable {@code -o json} element. */
  public record Row(String workflowId, String runId, String status, String startedAt, String closedAt) {}

  /** Up to {@code limit} deploys, newest first. */
  public List<Row> list(int limit) {
    return list(limit, null);
  }

  /**
   * Up to {@code limit} deploys in {@code phase} (null: any), newest first. The phase is a {@code DynamoPhase}
   * search-attribute query where the server has advanced visibility and the attribute; elsewhere (Java test
   * server, attribute not registered) each deploy's phase is read (progress query, or how its run ended) and
   * filtered here.
   */
  public List<Row> list(int limit, Phase phase) {
    List<WorkflowExecutionInfo> infos;
    boolean filtered = false;
    try {
      infos = query(limit, phase == null ? "" : " AND " + DeploySearchAttributes.PHASE.getName() + " = '" + phase + "'");
      filtered = true;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      boolean unknownAttribute = phase != null && code == Status.Code.INVALID_ARGUMENT;
      if (code != Status.Code.UNIMPLEMENTED && !unknownAttribute) throw e;
      infos = openAndClosed(phase == null ? limit : Math.max(limit, 200));
    }
    boolean filterHere = phase != null && !filtered;
    return infos.stream()
        .filter(i -> i.getExecution().getWorkflowId().startsWith("deploy/"))
        .filter(i -> !filterHere || phase == phaseOf(i))
        .sorted(Comparator.comparing((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds()).reversed())
        .limit(limit)
        .map(DeployList::row)
        .toList();
  }

  /** A deploy's phase: the progress query while it runs, else how its run ended (null when unknown). */
  Phase phaseOf(WorkflowExecutionInfo info) {
    WorkflowStub stub = client.newUntypedWorkflowStub(info.getExecution().getWorkflowId(),
        Optional.of(info.getExecution().getRunId()), Optional.empty());
    try {
      return switch (info.getStatus()) {
        case WORKFLOW_EXECUTION_STATUS_RUNNING -> {
          DeployProgress p = stub.query("progress", DeployProgress.class);
          yield p == null ? null : p.phase();
        }
        case WORKFLOW_EXECUTION_STATUS_COMPLETED -> Phase.READY;
        case WORKFLOW_EXECUTION_STATUS_CANCELED -> Phase.CANCELLED;
        case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> Phase.TIMED_OUT;
        case WORKFLOW_EXECUTION_STATUS_TERMINATED -> Phase.FAILED;
        default -> DeployOutcomes.await(stub).phase(); // failed: the DeployResult in the failure's details
      };
    } catch (RuntimeException e) {
      return null; // no worker answers the query now: not listed under any phase
    }
  }

  private List<WorkflowExecutionInfo> query(int limit, String condition) {
    WorkflowServiceBlockingStub stub = client.getWorkflowServiceStubs().blockingStub();
    String query = "WorkflowType = '" + WORKFLOW_TYPE + "' AND TaskQueue = '" + DeployIds.TASK_QUEUE + "'" + condition;
    return pages(limit, token -> {
      ListWorkflowExecutionsResponse page = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
          .setNamespace(client.getOptions().getNamespace()).setQuery(query).setPageSize(PAGE)
          .setNextPageToken(token).build());
      return new Page(page.getExecutionsList(), page.getNextPageToken());
    });
  }

  private List<WorkflowExecutionInfo> openAndClosed(int limit) {
    WorkflowServiceBlockingStub stub = client.getWorkflowServiceStubs().blockingStub();
    String namespace = client.getOptions().getNamespace();
    WorkflowTypeFilter type = WorkflowTypeFilter.newBuilder().setName(WORKFLOW_TYPE).build();
    List<WorkflowExecutionInfo> infos = new ArrayList<>(pages(limit, token -> {
      ListOpenWorkflowExecutionsResponse page = stub.listOpenWorkflowExecutions(
          ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setTypeFilter(type)
              .setMaximumPageSize(PAGE).setNextPageToken(token).build());
      return new Page(page.getExecutionsList(), page.getNextPageToken());
    }));
    // Closed runs until open and closed together make twice the limit: the newest may be of either kind.
    infos.addAll(pages(2 * limit - infos.size(), token -> {
      ListClosedWorkflowExecutionsResponse page = stub.listClosedWorkflowExecutions(
          ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setTypeFilter(type)
              .setMaximumPageSize(PAGE).setNextPageToken(token).build());
      return new Page(page.getExecutionsList(), page.getNextPageToken());
    }));
    return infos;
  }

  /** One page of a listing and the token of the next ({@code empty}: the last page). */
  private record Page(List<WorkflowExecutionInfo> executions, ByteString next) {}

  /** Follows the pages of one listing until it ends or {@code limit} executions are in. */
  private static List<WorkflowExecutionInfo> pages(int limit, Function<ByteString, Page> fetch) {
    List<WorkflowExecutionInfo> infos = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      Page page = fetch.apply(token);
      infos.addAll(page.executions());
      token = page.next();
    } while (!token.isEmpty() && infos.size() < limit);
    return infos;
  }

  private static Row row(WorkflowExecutionInfo i) {
    return new Row(
        i.getExecution().getWorkflowId(),
        i.getExecution().getRunId(),
        i.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""),
        i.hasStartTime() ? instant(i.getStartTime()) : null,
        i.hasCloseTime() ? instant(i.getCloseTime()) : null);
  }

  private static String instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }
}
