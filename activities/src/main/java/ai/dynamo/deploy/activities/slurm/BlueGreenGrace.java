package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.Durations;
import java.time.Duration;

/**
 * A blue/green copy whose job stays PENDING for lack of resources longer than the grace ({@code
 * blueGreenGraceSeconds}) fails its component at once, with the reason and the hint to recreate: the old copy holds
 * what the new one waits for, so waiting until the readiness timeout would never help. Counted within one wait
 * attempt (monotonic clock); other components and strategies are never failed by it.
 */
final class BlueGreenGrace {
  private final ComponentChange change;
  private final Duration grace;
  private final Component component;
  private long pendingSince;

  BlueGreenGrace(ComponentChange change, Duration grace, Component component) {
    this.change = change;
    this.grace = grace;
    this.component = component;
  }

  /** Called with each poll's pending reason (null when no job is pending); throws once the grace is over. */
  void check(String pendingReason) {
    if (change == null || !change.blueGreen() || !lacksResources(pendingReason)) {
      pendingSince = 0;
      return;
    }
    long now = System.nanoTime();
    if (pendingSince == 0) pendingSince = now;
    if (now - pendingSince >= grace.toNanos()) {
      throw TargetFailure.componentFailed("PENDING (" + pendingReason + ") for " + Durations.human(grace)
          + ": not enough free " + (component.resources().gpu() > 0 ? "GPUs" : "resources")
          + " for blue/green beside revision " + change.liveRevision() + "; use --strategy recreate");
    }
  }

  /** Pending reasons that mean "the resources are taken": a blue/green copy waits for the old one's nodes. */
  static boolean lacksResources(String reason) {
    return reason != null && (reason.startsWith("Resources") || reason.startsWith("Priority")
        || reason.startsWith("ReqNodeNotAvail") || reason.startsWith("Nodes_required"));
  }
}
