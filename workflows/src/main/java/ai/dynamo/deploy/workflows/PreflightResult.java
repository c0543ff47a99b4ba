package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * @param previousRevision the revision live on the target before this deploy (0 when none); the deploy creates
 *     {@code previousRevision + 1}
 * @param warnings things the user should know that do not stop the deploy (e.g. fewer GPUs allocatable than asked)
 */
public record PreflightResult(int previousRevision, List<String> warnings) {
  public PreflightResult {
    warnings = List.copyOf(warnings);
  }
}
