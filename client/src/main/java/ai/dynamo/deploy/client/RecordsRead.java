package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.util.List;

/**
 * Reads a graph's revisions from its target's own records, for {@code dynamo deploy history}
 * ({@link DeployRecords#history}). Implemented where the targets' code is (the CLI, with the user's own credentials,
 * as {@code deploy logs} and status's {@link LiveCheck}): the client module reaches no target itself.
 */
@FunctionalInterface
public interface RecordsRead {

  /**
   * The recorded revisions, oldest first. Every call it makes is bounded; a failure throws with a message naming the
   * endpoint and the cause.
   *
   * @param target kind, location and the settings that reach it
   */
  List<RevisionEntry> history(String graph, TargetSpec target);
}
