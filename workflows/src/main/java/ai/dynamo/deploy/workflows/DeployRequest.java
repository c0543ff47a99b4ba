package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;

/**
 * Input of a deploy. Carries the normalised IR (which holds secret references, never secret values) and
 * options; rendered artefacts are not carried: activities re-render from the IR, which is deterministic.
 *
 * @param graph the validated graph
 * @param specDigest {@link ai.dynamo.deploy.ir.GraphDigest#sha256} of the graph plus the target settings; tells a
 *     re-run of the same spec (attach) from a different spec (refused while one runs)
 * @param target where to deploy
 * @param options how to deploy
 */
public record DeployRequest(Graph graph, String specDigest, TargetSpec target, DeployOptions options) {}
