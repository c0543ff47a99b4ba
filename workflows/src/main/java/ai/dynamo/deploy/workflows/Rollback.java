package ai.dynamo.deploy.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The compensation of a deploy: remembers what the new revision touched and undoes it, restoring the previous
 * revision (or removing a failed first install). It runs in a detached cancellation scope, so a cancel request
 * arriving meanwhile does not interrupt it, within its own time budget ({@link DeployOptions#rollbackTimeout}).
 */
final class Rollback {
  private static final Logger log = Workflow.getLogger(Rollback.class);

  private final ProgressPublisher progress;
  private final DeploySteps steps;
  private final int previousRevision;
  private final int revision;
  private final Duration budget;
  /** The update plan's changes (null in runs from before per-component updates). */
  private final List<ComponentChange> changes;
  /** Components the new revision touched (an apply was started): what a rollback must undo. */
  private final Set<String> touched = new LinkedHashSet<>();
  private boolean failed;

  Rollback(ProgressPublisher progress, DeploySteps steps, int previousRevision, int revision, Duration budget) {
    this(progress, steps, previousRevision, revision, budget, null);
  }

  Rollback(ProgressPublisher progress, DeploySteps steps, int previousRevision, int revision, Duration budget,
      List<ComponentChange> changes) {
    this.changes = changes;
    this.progress = progress;
    this.steps = steps;
    this.previousRevision = previousRevision;
    this.revision = revision;
    this.budget = budget;
  }

  /** An apply of {@code component} started: a rollback must undo it. */
  void touched(String component) {
    touched.add(component);
  }

  /** Whether the rollback itself failed (then nothing is known to be live). */
  boolean failed() {
    return failed;
  }

  /** Rolls back, detached from the (possibly cancelled) scope of the caller; returns how it went. */
  String undoDetached(String reason) {
    String[] outcome = new String[1];
    Workflow.newDetachedCancellationScope(() -> outcome[0] = undo(reason)).run();
    return outcome[0];
  }

  /**
   * The deploy was cancelled ({@code dynamo deploy cancel}): waits for the running wave's applies, rolls back and
   * ends CANCELLED, all detached from the cancelled scope. Returns {@code cause} for the caller to throw.
   */
  CanceledFailure afterCancel(CanceledFailure cause, WaveRunner waves) {
    Workflow.newDetachedCancellationScope(
            () -> {
              waves.settle();
              String outcome = undo("cancelled by request");
              progress.enter(Phase.CANCELLED, "cancelled by request; " + outcome);
            })
        .run();
    return cause;
  }

  /** The slim changes ({@link ComponentChange#forStep}) of the touched components only: what the rollback acts on. */
  private List<ComponentChange> touchedChanges() {
    if (changes == null) return null;
    return changes.stream().filter(c -> touched.contains(c.component())).map(ComponentChange::forStep).toList();
  }

  /** Rolls back what this revision touched; returns one phrase saying how it went. */
  private String undo(String reason) {
    if (touched.isEmpty()) return "nothing to roll back";
    progress.enter(Phase.ROLLING_BACK, "rolling back: " + reason);
    for (String name : touched) progress.component(name, ComponentPhase.ROLLING_BACK);
    progress.refreshDetails();
    try {
      String outcome =
          steps.rollback(new RollbackRequest(revision, previousRevision, List.copyOf(touched), reason, touchedChanges()), budget);
      for (String name : touched) progress.component(name, ComponentPhase.ROLLED_BACK);
      return outcome == null || outcome.isEmpty()
          ? (previousRevision > 0 ? "rolled back to revision " + previousRevision : "removed revision " + revision)
          : outcome;
    } catch (ActivityFailure e) {
      failed = true;
      log.warn("rollback of {} rev {} failed: {}", progress.graph(), revision, FailureReasons.reason(e));
      return "rollback failed too (" + FailureReasons.reason(e) + "); clean up by hand or run the deploy again";
    }
  }
}
