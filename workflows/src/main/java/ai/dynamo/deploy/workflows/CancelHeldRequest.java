package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * Cancel the jobs a deploy submitted held that were never released (docs/workflow.md "Held starts"): asked when a
 * paused deploy is aborted, so that jobs which never ran anything do not keep their nodes.
 *
 * @param revision the aborted revision (the jobs' identity)
 * @param components the components the workflow submitted held and never released, in graph order; the target
 *     cancels only the jobs of these that it finds still held (never started), and nothing else
 */
public record CancelHeldRequest(int revision, List<String> components) {
  public CancelHeldRequest {
    components = List.copyOf(components);
  }
}
