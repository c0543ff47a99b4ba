package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.ir.Sha256;
import java.util.Map;

/**
 * The digest of what a deploy is asked to make true: the graph plus the target (kind, location, settings). Two
 * starts with the same digest are the same deploy (the second attaches); a different digest while one runs is
 * refused. Options such as the timeout are deliberately not part of it. The one place this digest is computed: the
 * client, the targets' records and the tests all go through {@link DeployRequest#of}.
 */
public final class SpecDigest {
  private SpecDigest() {}

  public static String of(Graph graph, TargetSpec target) {
    return of(GraphDigest.sha256(graph), target);
  }

  /**
   * The spec digest versions before the stable graph digest computed for the same request (see
   * {@link GraphDigest#previousForm}): a deploy they started still attaches. Delete both together.
   */
  public static String previousForm(Graph graph, TargetSpec target) {
    return of(GraphDigest.previousForm(graph), target);
  }

  private static String of(String graphDigest, TargetSpec target) {
    StringBuilder text = new StringBuilder();
    text.append("graph ").append(graphDigest).append('\n');
    text.append("kind ").append(target.kind()).append('\n');
    text.append("location ").append(target.location()).append('\n');
    // settings is a sorted map: the digest does not depend on flag or profile order
    for (Map.Entry<String, String> e : target.settings().entrySet()) {
      text.append("setting ").append(e.getKey()).append('=').append(e.getValue().replace("\n", "\\n")).append('\n');
    }
    return Sha256.hex(text.toString());
  }
}
