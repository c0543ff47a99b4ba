package ai.dynamo.deploy.workflows;

import java.util.List;

/**
 * @param previousRevision the revision live on the target before this deploy (0 when none): what a rollback restores
 * @param warnings things the user should know that do not stop the deploy (e.g. fewer GPUs allocatable than asked)
 * @param lastRevision the highest revision number the target's records hold (0 in results of older workers): after
 *     an uninstall nothing is live but the numbers go on, so the deploy creates
 *     {@code max(previousRevision, lastRevision) + 1}
 * @param startsHeld the target can submit a component early and hold its start until a later apply releases it
 *     ({@link StepRequest#held}); false in results of older workers
 */
public record PreflightResult(int previousRevision, List<String> warnings, int lastRevision, boolean startsHeld) {
  public PreflightResult {
    warnings = List.copyOf(warnings);
  }

  public PreflightResult(int previousRevision, List<String> warnings, int lastRevision) {
    this(previousRevision, warnings, lastRevision, false);
  }

  public PreflightResult(int previousRevision, List<String> warnings) {
    this(previousRevision, warnings, previousRevision);
  }

  /** The revision the deploy creates. */
  public int nextRevision() {
    return Math.max(previousRevision, lastRevision) + 1;
  }
}
