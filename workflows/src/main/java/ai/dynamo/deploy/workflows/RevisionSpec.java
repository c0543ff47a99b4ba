package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a target keeps of a recorded revision so that {@code rollback --to-revision N} can deploy it again exactly:
 * the normalised graph (secret references only, never values) and the target settings (never secret either).
 *
 * @param graph the graph as deployed
 * @param specDigest its spec digest
 * @param settings the target settings it was deployed with
 */
public record RevisionSpec(Graph graph, String specDigest, Map<String, String> settings) {
  public RevisionSpec {
    settings = new TreeMap<>(settings);
  }
}
