package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import com.google.protobuf.ByteString;
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
import io.temporal.client.WorkflowExecutionMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The runs of deploys' workflow IDs ({@code deploy/...}: deploys and uninstalls), newest first: a visibility query
 * where the server has one, else the open and closed listings (Temporal's Java test server has no
 * ListWorkflowExecutions), filtered here. What {@link DeployList} and {@link DeployResolver} read.
 */
final class DeployExecutions {
  /** The workflow types that run under a deploy's workflow ID. */
  static final List<String> TYPES = List.of("deploy", "uninstall");
  private static final int PAGE = 100;
  /** How many closed runs per type the listings look through: "recent" closed runs. */
  static final int CLOSED_SCAN = 1000;

  private final WorkflowClient client;

  DeployExecutions(WorkflowClient client) {
    this.client = client;
  }

  /** The outcome of a listing: the runs, and whether the visibility query applied {@code condition}. */
  record Listing(List<WorkflowExecutionMetadata> runs, boolean queried) {}

  /**
   * Up to {@code limit} runs, newest first.
   *
   * @param condition a visibility condition (e.g. {@code DynamoGraph = 'g'}) or empty; where the server cannot
   *     answer it (no visibility, attribute not registered), every run is listed and {@code local} filters
   * @param local the same condition, checked here when the query did not apply it
   */
  Listing list(int limit, String condition, Predicate<WorkflowExecutionMetadata> local) {
    List<WorkflowExecutionInfo> infos;
    boolean queried;
    try {
      infos = query(limit, condition);
      queried = true;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      boolean unknownAttribute = !condition.isEmpty() && code == Status.Code.INVALID_ARGUMENT;
      if (code != Status.Code.UNIMPLEMENTED && !unknownAttribute) throw e;
      infos = openAndClosed();
      queried = false;
    }
    boolean filterHere = !queried;
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<WorkflowExecutionMetadata> runs = infos.stream()
        .filter(i -> i.getExecution().getWorkflowId().startsWith("deploy/"))
        // each run once: Temporal's Java test server ignores the type filter of its listings
        .filter(i -> seen.add(i.getExecution().getWorkflowId() + " " + i.getExecution().getRunId()))
        .filter(i -> TYPES.contains(i.getType().getName()))
        .sorted(Comparator.comparing((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds())
            .thenComparing(i -> i.getStartTime().getNanos()).reversed())
        .map(i -> new WorkflowExecutionMetadata(i, client.getOptions().getDataConverter()))
        .filter(m -> !filterHere || local.test(m))
        .limit(limit)
        .toList();
    return new Listing(runs, queried);
  }

  private List<WorkflowExecutionInfo> query(int limit, String condition) {
    WorkflowServiceBlockingStub stub = client.getWorkflowServiceStubs().blockingStub();
    String query = "WorkflowType IN ('" + String.join("', '", TYPES) + "') AND TaskQueue = '" + DeployIds.TASK_QUEUE
        + "'" + (condition.isEmpty() ? "" : " AND " + condition);
    return pages(limit, token -> {
      ListWorkflowExecutionsResponse page = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
          .setNamespace(client.getOptions().getNamespace()).setQuery(query).setPageSize(PAGE)
          .setNextPageToken(token).build());
      return new Page(page.getExecutionsList(), page.getNextPageToken());
    });
  }

  private List<WorkflowExecutionInfo> openAndClosed() {
    WorkflowServiceBlockingStub stub = client.getWorkflowServiceStubs().blockingStub();
    String namespace = client.getOptions().getNamespace();
    List<WorkflowExecutionInfo> infos = new ArrayList<>();
    for (String type : TYPES) {
      WorkflowTypeFilter filter = WorkflowTypeFilter.newBuilder().setName(type).build();
      infos.addAll(pages(Integer.MAX_VALUE, token -> {
        ListOpenWorkflowExecutionsResponse page = stub.listOpenWorkflowExecutions(
            ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setTypeFilter(filter)
                .setMaximumPageSize(PAGE).setNextPageToken(token).build());
        return new Page(page.getExecutionsList(), page.getNextPageToken());
      }));
      infos.addAll(pages(CLOSED_SCAN, token -> {
        ListClosedWorkflowExecutionsResponse page = stub.listClosedWorkflowExecutions(
            ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setTypeFilter(filter)
                .setMaximumPageSize(PAGE).setNextPageToken(token).build());
        return new Page(page.getExecutionsList(), page.getNextPageToken());
      }));
    }
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
}
