package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.Phase;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import java.util.List;
import java.util.Set;

/**
 * Whether a place's runs ever reached their target, from what the workflows record (their phase and revision; no
 * target I/O). A deploy learns its revision from the preflight, so a run that ended FAILED, CANCELLED or TIMED_OUT
 * with revision 0 stopped before the preflight passed: it applied nothing (e.g. a mistyped login host, a refused
 * host key). Such a place is not one the graph is deployed in.
 */
final class PlaceRuns {
  private static final Set<Phase> ENDED_EARLY_PHASES = Set.of(Phase.FAILED, Phase.CANCELLED, Phase.TIMED_OUT);

  private final DeployList list;

  PlaceRuns(DeployList list) {
    this.list = list;
  }

  /** The places the graph is deployed in: those whose runs reached the target; when none did, all of them. */
  static List<DeployResolver.Place> deployedIn(List<DeployResolver.Place> places) {
    List<DeployResolver.Place> reached = places.stream().filter(DeployResolver.Place::reached).toList();
    return reached.isEmpty() ? places : reached;
  }

  DeployList.Snapshot snapshot(WorkflowExecutionMetadata run) {
    return list.snapshot(run);
  }

  /** Whether any of a place's runs (newest first; the newest's snapshot given) reached the target. */
  boolean anyReached(List<WorkflowExecutionMetadata> runs, DeployList.Snapshot newest) {
    if (reached(runs.get(0), newest)) return true;
    for (WorkflowExecutionMetadata older : runs.subList(1, runs.size())) {
      if (reached(older, list.snapshot(older))) return true;
    }
    return false;
  }

  /** Unknown counts as reached: only a run that is known to have stopped before its preflight passed does not. */
  static boolean reached(WorkflowExecutionMetadata run, DeployList.Snapshot snapshot) {
    if (run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return true;
    if (!"deploy".equals(run.getWorkflowType()) || snapshot.phase() == null || snapshot.revision() == null) {
      return true;
    }
    return !(ENDED_EARLY_PHASES.contains(snapshot.phase()) && snapshot.revision() == 0);
  }
}
