package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.client.DeployConflictException;
import ai.dynamo.deploy.workflows.client.DeployStarter;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Starts a deploy, or attaches to the one already running with the same spec, through the engine's
 * {@link DeployStarter} (workflow ID per graph and place, USE_EXISTING, memo {@code specDigest}, static summary,
 * search attributes). A running deploy with a different spec is refused as a usage error naming it.
 */
public final class StartDeploy {
  /** Memo key holding the spec digest of the run. */
  public static final String MEMO_SPEC_DIGEST = DeploySearchAttributes.MEMO_SPEC_DIGEST;

  /** Every deploy search attribute name: what to claim when the server cannot list its registered ones. */
  static final Set<String> ALL_SEARCH_ATTRIBUTES =
      DeploySearchAttributes.ALL.stream().map(SearchAttributeKey::getName).collect(Collectors.toUnmodifiableSet());

  private final WorkflowClient client;

  public StartDeploy(WorkflowClient client) {
    this.client = client;
  }

  public record Started(String workflowId, String runId, boolean attached) {}

  /**
   * @param searchAttributes names of the search attributes to set (those the server has registered); null asks
   *     the server
   * @throws UserError ({@link ExitCodes#INVALID}) when a deploy with a different spec is running
   */
  public Started start(Graph graph, TargetChoice target, DeployOptions options, Set<String> searchAttributes) {
    DeployRequest request = new DeployRequest(graph, SpecDigest.of(graph, target.spec()), target.spec(), options);
    try {
      DeployStarter.Started s = DeployStarter.startOrAttach(client, request, searchAttributes);
      return new Started(s.workflowId(), s.runId(), s.attached());
    } catch (DeployConflictException e) {
      throw new UserError(
          ExitCodes.INVALID,
          "error: another deploy of " + graph.name() + " to " + target.kind() + "@" + target.location()
              + " is running with a different spec (workflow " + e.workflowId() + ", run " + e.runId() + ")."
              + "\nWatch it:  dynamo deploy status " + e.workflowId() + " --wait"
              + "\nCancel it (rolls back): dynamo deploy cancel " + e.workflowId(),
          e);
    }
  }

  /** As {@link #start(Graph, TargetChoice, DeployOptions, Set)}, with or without all search attributes. */
  public Started start(Graph graph, TargetChoice target, DeployOptions options, boolean withSearchAttributes) {
    return start(graph, target, options, withSearchAttributes ? ALL_SEARCH_ATTRIBUTES : Set.of());
  }
}
