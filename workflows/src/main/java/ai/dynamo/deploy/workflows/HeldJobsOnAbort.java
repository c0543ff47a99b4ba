package ai.dynamo.deploy.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.List;
import org.slf4j.Logger;

/**
 * The abort of a paused deploy leaves what the revision started as it is, but not the jobs it submitted held for a
 * wave that never came (docs/workflow.md "Held starts"): they ran nothing, and a held job keeps its node (GPUs) until
 * its time limit. This cancels exactly those, detached from cancellation (an abort ends as an abort), and says how it
 * went. The target cancels only jobs it finds still held, so whatever was released stays.
 */
final class HeldJobsOnAbort {
  private static final Logger log = Workflow.getLogger(HeldJobsOnAbort.class);
  /**
   * Version of the abort that cancels never-released held jobs: runs recorded before it left them held. Asked only
   * when an aborted deploy has such jobs, so other runs record no marker for it. Version 1 counted a held component
   * as released once its wave ran; version 2 also cancels those whose releasing apply failed.
   */
  static final String ABORT_CANCELS_HELD_CHANGE = "abort-cancels-held";
  static final int CANCELS_FAILED_RELEASES = 2;

  private final ProgressPublisher progress;
  private final DeploySteps steps;
  private final int revision;

  HeldJobsOnAbort(ProgressPublisher progress, DeploySteps steps, int revision) {
    this.progress = progress;
    this.steps = steps;
    this.revision = revision;
  }

  /**
   * Cancels the held jobs {@code waves} never released; returns one phrase for the abort's message, empty when there
   * were none (or in runs recorded before this change).
   */
  String cancel(WaveRunner waves) {
    List<String> withFailedReleases = waves.neverReleased(true);
    if (withFailedReleases.isEmpty()) return "";
    int version = Workflow.getVersion(ABORT_CANCELS_HELD_CHANGE, Workflow.DEFAULT_VERSION, CANCELS_FAILED_RELEASES);
    if (version == Workflow.DEFAULT_VERSION) return "";
    List<String> held = version < CANCELS_FAILED_RELEASES ? waves.neverReleased(false) : withFailedReleases;
    if (held.isEmpty()) return "";
    String[] outcome = new String[1];
    Workflow.newDetachedCancellationScope(() -> outcome[0] = cancel(waves, held)).run();
    return outcome[0];
  }

  private String cancel(WaveRunner waves, List<String> held) {
    // A held apply still in flight would submit its job after the cancel has looked (normally all ended long ago:
    // the failed wave waited for them before pausing; asked first, as an await with a bound starts a timer).
    if (!waves.settled()) waves.settle();
    String names = String.join(", ", held);
    try {
      HeldCancelled done = steps.cancelHeld(new CancelHeldRequest(revision, held));
      for (String name : done.components()) {
        ComponentProgress c = progress.component(name);
        progress.component(name, ComponentPhase.PENDING, 0, c == null ? 0 : c.desired(),
            "held job cancelled by the abort; it never started");
      }
      progress.refreshDetails();
      if (done.components().isEmpty()) return "no held job of " + names + " was left to cancel";
      return "cancelled the held job(s) of " + String.join(", ", done.components()) + ", which never started"
          + (done.jobs().isEmpty() ? "" : " (job(s) " + String.join(", ", done.jobs()) + ")");
    } catch (ActivityFailure e) {
      String reason = FailureReasons.reason(e);
      log.warn("deploy {} rev {}: cancelling the held jobs of {} failed: {}", progress.graph(), revision, names,
          reason);
      return "cancelling the held job(s) of " + names + ", which never started, failed (" + reason
          + "), so they may still be queued or hold their nodes: cancel them by hand";
    }
  }
}
