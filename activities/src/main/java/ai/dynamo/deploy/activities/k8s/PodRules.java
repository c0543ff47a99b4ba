package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The pod rules of the readiness wait (docs/kubernetes-target.md, "Readiness: the rules", row "Pods of the stage"):
 * a container state that waiting does not fix, a pod Unschedulable past its grace period, and whether a pod is
 * Ready. Pure: pods in, a message or a yes/no out. Apart from {@link WorkloadReadiness} because these judge pods, not
 * workloads: they say why a workload is not getting ready, and {@link CurrentPods} says which pods they judge.
 */
final class PodRules {
  private PodRules() {}

  /** Container waiting reasons that waiting longer does not fix. */
  static final Set<String> FATAL_WAITING_REASONS =
      Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName");

  /**
   * The first pod problem that waiting cannot fix, or null. {@code now} and {@code unschedulableGrace} decide when an
   * Unschedulable pod counts as failed.
   */
  static String podFailure(List<Pod> pods, Instant now, Duration unschedulableGrace) {
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      if (pod.getStatus() == null) continue;
      List<ContainerStatus> statuses = new ArrayList<>();
      if (pod.getStatus().getInitContainerStatuses() != null) statuses.addAll(pod.getStatus().getInitContainerStatuses());
      if (pod.getStatus().getContainerStatuses() != null) statuses.addAll(pod.getStatus().getContainerStatuses());
      for (ContainerStatus cs : statuses) {
        ContainerStateWaiting waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        if (waiting != null && FATAL_WAITING_REASONS.contains(waiting.getReason())) {
          String detail = waiting.getMessage() == null || waiting.getMessage().isBlank() ? "" : ": " + waiting.getMessage();
          String exit = "";
          if ("CrashLoopBackOff".equals(waiting.getReason()) && cs.getLastState() != null
              && cs.getLastState().getTerminated() != null) {
            exit = " (exit code " + cs.getLastState().getTerminated().getExitCode() + ", " + Objects.requireNonNullElse(
                cs.getRestartCount(), 0) + " restarts)";
          }
          return "pod " + name + ": " + waiting.getReason() + exit + detail;
        }
      }
      String unschedulable = unschedulable(pod, now, unschedulableGrace);
      if (unschedulable != null) return unschedulable;
    }
    return null;
  }

  /** A pod still waiting to be scheduled, for progress messages: "pod x: Unschedulable (...)", or null. */
  static String pendingReason(List<Pod> pods) {
    for (Pod pod : pods) {
      PodCondition c = scheduledCondition(pod);
      if (c != null && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
        return "pod " + pod.getMetadata().getName() + ": Unschedulable"
            + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")");
      }
    }
    return null;
  }

  private static String unschedulable(Pod pod, Instant now, Duration grace) {
    PodCondition c = scheduledCondition(pod);
    if (c == null || !"False".equals(c.getStatus()) || !"Unschedulable".equals(c.getReason())) return null;
    Instant since = parse(c.getLastTransitionTime());
    if (since != null && Duration.between(since, now).compareTo(grace) < 0) return null;
    return "pod " + pod.getMetadata().getName() + ": Unschedulable for more than " + grace.toSeconds() + "s"
        + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")");
  }

  private static PodCondition scheduledCondition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("PodScheduled".equals(c.getType())) return c;
    }
    return null;
  }

  /** Whether a pod is Running with every container ready (for multi-node batch leaders). */
  static boolean podReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return false;
    if ("Succeeded".equals(pod.getStatus().getPhase())) return true;
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
    }
    return false;
  }

  private static Instant parse(String time) {
    if (time == null) return null;
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
