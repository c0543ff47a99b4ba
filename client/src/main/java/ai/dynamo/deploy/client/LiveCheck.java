package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployRequest;
import java.util.List;

/**
 * Reads what runs on the target now, per component, for {@code dynamo deploy status} ({@link LiveStatus}). Implemented
 * where the targets' code is (the CLI, with the user's own credentials, as {@code deploy logs}): the client module
 * reaches no target itself. The target's own health check decides "ready" (the one the update planning uses to find a
 * live copy that is not healthy); this interface only carries its answer.
 */
@FunctionalInterface
public interface LiveCheck {

  /**
   * The live revision per the target's own records and the health of each of its components. Every call it makes is
   * bounded; a failure throws with a message naming the endpoint and the cause.
   *
   * @param request the deploy's request (graph, target, settings), from the run's start event
   */
  Live read(DeployRequest request, String workflowId, String runId);

  /**
   * @param revision the live revision the target records, 0 when none
   * @param endpoint where it was read ({@code kind@location}), for messages
   * @param components the live revision's components, each with its health
   */
  record Live(int revision, String endpoint, List<Component> components) {
    public Live {
      components = List.copyOf(components);
    }
  }

  /**
   * @param revision the revision whose objects or jobs run it
   * @param ready the target's health check passed
   * @param health what the check saw ({@code job 4711 CANCELLED}, {@code deployment g-frontend: 0 of 1 replicas
   *     available})
   */
  record Component(String name, int revision, boolean ready, String health) {}
}
