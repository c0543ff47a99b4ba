package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * What {@link DeployActivities#cancelHeld} found: the held jobs that never started and are cancelled now (this call or
 * an earlier attempt of it), so that a retried call answers the same.
 *
 * @param components the components whose held jobs were cancelled, in the request's order
 * @param jobs the cancelled jobs' IDs (empty for a target without job IDs)
 */
public record HeldCancelled(List<String> components, List<String> jobs) {
  public HeldCancelled {
    components = List.copyOf(components);
    jobs = List.copyOf(jobs);
  }

  /** Nothing was held: a target without held starts. */
  public static HeldCancelled none() {
    return new HeldCancelled(List.of(), List.of());
  }
}
