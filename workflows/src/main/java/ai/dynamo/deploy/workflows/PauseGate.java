package ai.dynamo.deploy.workflows;

import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * {@code --on-failure pause}: keeps a failed wave's state and waits for a person's decision, delivered as a Temporal
 * Update ({@code retry}, {@code rollback}, {@code abort}) whose validator refuses it, with the reason, when it does
 * not apply; no decision within {@link DeployOptions#pauseTimeout} counts as {@link Decision#TIMEOUT}.
 */
final class PauseGate {
  private static final Logger log = Workflow.getLogger(PauseGate.class);

  /** Version of the pause behaviour: runs recorded before it never paused (they had no onFailure option). */
  static final String PAUSE_CHANGE = "pause-on-failure";
  /**
   * Version of the paused message that names the place ({@link PlaceFlags}): runs recorded before it named only the
   * graph, which is ambiguous where the graph is deployed in several places.
   */
  static final String PAUSE_NAMES_PLACE_CHANGE = "pause-message-names-place";

  enum Decision { RETRY, ROLLBACK, ABORT, TIMEOUT }

  private final ProgressPublisher progress;
  private final DeployOptions options;
  /** Where the deploy goes: its paused message names this place. */
  private final TargetSpec place;
  /** The decision an Update delivered while paused; null while none. */
  private Decision decision;
  /** Components submitted held whose wave never came: an abort cancels their jobs ({@link HeldJobsOnAbort}). */
  private Supplier<List<String>> heldUntilNextWave = List::of;

  PauseGate(ProgressPublisher progress, DeployOptions options, TargetSpec place) {
    this.progress = progress;
    this.options = options;
    this.place = place;
  }

  /** Where the abort's answer reads the held components that never started (the wave runner, once it exists). */
  void heldUntilNextWave(Supplier<List<String>> held) {
    heldUntilNextWave = held;
  }

  /** Whether a failure pauses (consults the change id only when the deploy asked to pause). */
  boolean pausesOnFailure() {
    return options.onFailure() == OnFailure.PAUSE
        && Workflow.getVersion(PAUSE_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1;
  }

  /** Keeps the failed state and waits for a decision (or the pause timeout); cancellation throws from here. */
  Decision pause(StepFailed failure) {
    decision = null;
    progress.enter(Phase.PAUSED, "paused: " + failure.getMessage() + ". Decide with `dynamo deploy retry|rollback|abort "
        + decisionWords() + "`; rolls back by itself after " + Durations.human(options.pauseTimeout()));
    log.warn("deploy {} paused: {}", progress.graph(), failure.getMessage());
    boolean decided = Workflow.await(options.pauseTimeout(), () -> decision != null);
    Decision taken = decided ? decision : Decision.TIMEOUT;
    decision = null;
    if (taken == Decision.RETRY) {
      for (String name : progress.componentsIn(ComponentPhase.FAILED)) progress.component(name, ComponentPhase.PENDING);
    }
    return taken;
  }

  /**
   * What follows the verb in the suggested decision: the graph and the flags that pick this place, shell-quoted (a
   * graph deployed in several places is ambiguous by name alone: the CLI would refuse it); the graph alone in runs
   * recorded before.
   */
  private String decisionWords() {
    if (Workflow.getVersion(PAUSE_NAMES_PLACE_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return progress.graph();
    }
    return placeWords();
  }

  /** The graph and the flags that pick this place, shell-quoted, as {@code dynamo deploy <verb>} takes them. */
  private String placeWords() {
    String workflowId = DeployIds.workflowId(place.kind(), place.location(), progress.graph());
    try {
      return PlaceFlags.pick(progress.graph(), workflowId, place);
    } catch (IllegalArgumentException e) { // a NUL in a setting, which no shell word holds: never fail the task
      return workflowId;
    }
  }

  /** The {@code retry} Update: re-runs what failed. Returns what happens, for the caller. */
  String retry() {
    decision = Decision.RETRY;
    return "retrying " + String.join(", ", progress.componentsIn(ComponentPhase.FAILED)) + " of " + progress.graph()
        + " revision " + progress.revision() + " (components already ready are not touched)";
  }

  /** The {@code rollback} Update. */
  String rollback() {
    decision = Decision.ROLLBACK;
    int previous = progress.revision() - 1;
    return "rolling back " + progress.graph() + " revision " + progress.revision()
        + (previous > 0 ? " to revision " + previous : " (first install: removing it)");
  }

  /** The {@code abort} Update. */
  String abort() {
    decision = Decision.ABORT;
    List<String> held = heldUntilNextWave.get();
    return "aborting " + progress.graph() + " revision " + progress.revision()
        + " without rollback; failed components stay as they are"
        + (held.isEmpty() ? "" : "; the held job(s) of " + String.join(", ", held)
            + ", which never started, are cancelled");
  }

  /** Rejects a decision that does not apply now, saying why (validators must not change state). */
  void requirePaused(String what) {
    if (progress.phase() != Phase.PAUSED) {
      String hint = progress.phase().isTerminal()
          ? "it has ended"
          // a rejection is not recorded in the history: no version needed for its text
          : "it has not failed; to stop it use `dynamo deploy cancel " + placeWords() + "` (which rolls back)";
      throw new IllegalStateException(what + " applies only to a paused deploy, and deploy " + progress.graph()
          + " is " + progress.phase() + ": " + hint);
    }
    if (decision != null) {
      throw new IllegalStateException(what + " refused: deploy " + progress.graph() + " already has a decision ("
          + decision.name().toLowerCase() + ")");
    }
  }
}
