package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.client.DeployConflictException;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import io.temporal.client.WorkflowClient;
import java.util.Set;

/**
 * {@code dynamo deploy}'s start: the request from the graph and the target flags, started or attached to through
 * the client's {@link DeployStarter}; a deploy with a different spec that holds the place (running, or paused for a
 * decision) is refused as a usage error that tells the user the commands that free it.
 */
public final class StartDeploy {
  private final WorkflowClient client;

  public StartDeploy(WorkflowClient client) {
    this.client = client;
  }

  /**
   * @param searchAttributes names of the search attributes to set (those the server has registered); null asks
   *     the server
   * @throws UserError ({@link ExitCodes#INVALID}) when a deploy with a different spec holds the place (running or
   *     paused; the client's message says which and what to do)
   */
  public DeployStarter.Started start(Graph graph, TargetChoice target, DeployOptions options,
      Set<String> searchAttributes) {
    try {
      return DeployStarter.startOrAttach(client, DeployRequest.of(graph, target.spec(), options), searchAttributes);
    } catch (DeployConflictException e) {
      throw new UserError(ExitCodes.INVALID, "error: " + e.getMessage(), e);
    }
  }

  /** As {@link #start(Graph, TargetChoice, DeployOptions, Set)}, with or without all search attributes. */
  public DeployStarter.Started start(Graph graph, TargetChoice target, DeployOptions options,
      boolean withSearchAttributes) {
    return start(graph, target, options, withSearchAttributes ? DeploySearchAttributes.NAMES : Set.of());
  }
}
