package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;

/**
 * Input of a deploy. Carries the normalised IR (which holds secret references, never secret values) and
 * options; rendered artefacts are not carried: activities re-render from the IR, which is deterministic.
 *
 * @param graph the validated graph
 * @param specDigest {@link SpecDigest} of the graph and the target; tells a re-run of the same spec (attach) from a
 *     different spec (refused while one runs)
 * @param target where to deploy
 * @param options how to deploy
 */
public record DeployRequest(Graph graph, String specDigest, TargetSpec target, DeployOptions options) {

  /** The request to deploy {@code graph} to {@code target}, with its spec digest. */
  public static DeployRequest of(Graph graph, TargetSpec target, DeployOptions options) {
    return new DeployRequest(graph, SpecDigest.of(graph, target), target, options);
  }

  /** The same request with other options (a retry or rollback keeps the spec and its digest). */
  public DeployRequest withOptions(DeployOptions other) {
    return new DeployRequest(graph, specDigest, target, other);
  }
}
