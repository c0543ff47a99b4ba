package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The workload readiness rules of the Kubernetes target, in one place (like Helm's pkg/kube ready checker). Pure:
 * objects (and for a LeaderWorkerSet's leaders, pods) in, a {@link Verdict} out. docs/kubernetes-target.md lists the
 * rules; each has a test in WorkloadReadinessTest. The pod rules are {@link PodRules}; which pods belong to the current
 * revision is a helper of those, {@link CurrentPods}.
 *
 * <ul>
 *   <li>Deployment: ready when {@code observedGeneration >= generation}, {@code updatedReplicas == replicas},
 *       {@code status.replicas == replicas} (old replicas gone) and {@code availableReplicas == replicas}; a
 *       {@code Progressing} condition with reason {@code ProgressDeadlineExceeded} fails at once.
 *   <li>StatefulSet: ready when {@code observedGeneration >= generation}, {@code readyReplicas == replicas},
 *       {@code updatedReplicas == replicas} and {@code currentRevision == updateRevision}; with
 *       {@code minReadySeconds} (pods without a probe) also {@code availableReplicas == replicas}.
 *   <li>Job: ready (done) when {@code succeeded >= completions}; failed when a {@code Failed} condition is true or
 *       {@code failed > backoffLimit}.
 *   <li>LeaderWorkerSet, leaders: one Ready leader pod of the current template per group. Whole groups: ready when
 *       {@code observedGeneration >= generation}, {@code readyReplicas} and {@code updatedReplicas} reach
 *       {@code replicas}, and the {@code Available} condition is true; failed when a group was recreated
 *       {@value #MAX_GROUP_RESTARTS} times during the wait ({@code RecreateGroupOnPodRestart}: a crash loop).
 *   <li>Pods ({@link PodRules}): a container (or init container) waiting with {@code CrashLoopBackOff},
 *       {@code ImagePullBackOff}, {@code ErrImagePull}, {@code CreateContainerConfigError} or
 *       {@code InvalidImageName} fails at once, naming the pod and reason; a pod {@code Unschedulable} for longer
 *       than the grace period fails too.
 * </ul>
 */
final class WorkloadReadiness {
  private WorkloadReadiness() {}

  static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  enum State {
    READY,
    WAITING,
    FAILED
  }

  /**
   * @param ready ready units (pods) counted towards {@code desired}
   * @param desired units wanted
   * @param message what is happening, for progress and errors
   */
  record Verdict(State state, int ready, int desired, String message) {
    static Verdict waiting(int ready, int desired, String message) {
      return new Verdict(State.WAITING, ready, desired, message);
    }

    static Verdict failed(int ready, int desired, String message) {
      return new Verdict(State.FAILED, ready, desired, message);
    }

    boolean isReady() {
      return state == State.READY;
    }
  }

  static Verdict deployment(Deployment d) {
    String name = "deployment " + d.getMetadata().getName();
    int replicas = orZero(d.getSpec().getReplicas(), 1);
    DeploymentStatus s = d.getStatus();
    if (s == null) return Verdict.waiting(0, replicas, name + ": no status yet");
    int updated = orZero(s.getUpdatedReplicas(), 0);
    int available = orZero(s.getAvailableReplicas(), 0);
    int total = orZero(s.getReplicas(), 0);
    int ready = Math.min(updated, available);
    if (s.getConditions() != null) {
      for (DeploymentCondition c : s.getConditions()) {
        if ("Progressing".equals(c.getType()) && PROGRESS_DEADLINE_EXCEEDED.equals(c.getReason())) {
          return Verdict.failed(ready, replicas, name + ": " + PROGRESS_DEADLINE_EXCEEDED
              + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"));
        }
      }
    }
    if (!generationObserved(d.getMetadata().getGeneration(), s.getObservedGeneration())) {
      return Verdict.waiting(ready, replicas, name + ": waiting for the controller to see the new spec");
    }
    if (updated < replicas) {
      return Verdict.waiting(ready, replicas, name + ": " + updated + " of " + replicas + " replicas updated");
    }
    if (total > updated) {
      return Verdict.waiting(ready, replicas, name + ": " + (total - updated) + " old replicas pending termination");
    }
    if (available < replicas) {
      return Verdict.waiting(ready, replicas, name + ": " + available + " of " + replicas + " replicas available");
    }
    return new Verdict(State.READY, replicas, replicas, name + ": " + replicas + "/" + replicas + " available");
  }

  static Verdict statefulSet(StatefulSet set) {
    String name = "statefulset " + set.getMetadata().getName();
    int replicas = orZero(set.getSpec().getReplicas(), 1);
    StatefulSetStatus s = set.getStatus();
    if (s == null) return Verdict.waiting(0, replicas, name + ": no status yet");
    int readyPods = orZero(s.getReadyReplicas(), 0);
    int updated = orZero(s.getUpdatedReplicas(), 0);
    int ready = Math.min(readyPods, updated);
    if (!generationObserved(set.getMetadata().getGeneration(), s.getObservedGeneration())) {
      return Verdict.waiting(ready, replicas, name + ": waiting for the controller to see the new spec");
    }
    if (updated < replicas) {
      return Verdict.waiting(ready, replicas, name + ": " + updated + " of " + replicas + " pods updated");
    }
    if (readyPods < replicas) {
      return Verdict.waiting(ready, replicas, name + ": " + readyPods + " of " + replicas + " pods ready");
    }
    // Pods without a probe (the running rule, a group's workers) are Ready once started: minReadySeconds makes them
    // available only after staying up that long, so a process that exits at once is never counted.
    int minReady = orZero(set.getSpec().getMinReadySeconds(), 0);
    int available = orZero(s.getAvailableReplicas(), 0);
    if (minReady > 0 && available < replicas) {
      return Verdict.waiting(Math.min(available, ready), replicas, name + ": " + available + " of " + replicas
          + " pods up for " + minReady + " s");
    }
    if (!Objects.equals(s.getCurrentRevision(), s.getUpdateRevision())) {
      return Verdict.waiting(ready, replicas, name + ": rolling update to " + s.getUpdateRevision() + " not finished");
    }
    return new Verdict(State.READY, replicas, replicas, name + ": " + replicas + "/" + replicas + " ready");
  }

  static Verdict job(Job job) {
    String name = "job " + job.getMetadata().getName();
    int completions = orZero(job.getSpec().getCompletions(), 1);
    int backoffLimit = orZero(job.getSpec().getBackoffLimit(), 6);
    JobStatus s = job.getStatus();
    if (s == null) return Verdict.waiting(0, completions, name + ": not started");
    int succeeded = orZero(s.getSucceeded(), 0);
    int failed = orZero(s.getFailed(), 0);
    if (s.getConditions() != null) {
      for (JobCondition c : s.getConditions()) {
        if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
          return Verdict.failed(succeeded, completions, name + ": failed"
              + (c.getReason() == null ? "" : " (" + c.getReason()
                  + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")"));
        }
      }
    }
    if (failed > backoffLimit) {
      return Verdict.failed(succeeded, completions,
          name + ": " + failed + " pods failed, more than its backoff limit of " + backoffLimit);
    }
    if (succeeded >= completions) {
      return new Verdict(State.READY, completions, completions, name + ": " + completions + "/" + completions + " completed");
    }
    int active = orZero(s.getActive(), 0);
    return Verdict.waiting(succeeded, completions, name + ": " + succeeded + "/" + completions + " completed, "
        + active + " running" + (failed > 0 ? ", " + failed + " failed" : ""));
  }

  /** Whether the rules here judge {@code o}: a Deployment, StatefulSet, Job or LeaderWorkerSet. */
  static boolean isWorkload(io.fabric8.kubernetes.api.model.HasMetadata o) {
    return o instanceof Deployment || o instanceof StatefulSet || o instanceof Job || LeaderWorkerSetApi.is(o);
  }

  /**
   * A workload that should be running as it is (a restored revision, a live one): its rule above, whole groups for a
   * LeaderWorkerSet; a Job that has not failed counts as ready (running or done).
   */
  static Verdict steady(io.fabric8.kubernetes.api.model.HasMetadata live) {
    if (live instanceof Deployment d) return deployment(d);
    if (live instanceof StatefulSet set) return statefulSet(set);
    if (live instanceof Job j) {
      Verdict v = job(j);
      return v.state() == State.FAILED ? v : new Verdict(State.READY, v.ready(), v.desired(), v.message());
    }
    return leaderWorkerSet((GenericKubernetesResource) live);
  }

  /** Group recreations (of one template, during one wait) after which a LeaderWorkerSet group counts as failed. */
  static final int MAX_GROUP_RESTARTS = 3;

  /** Whole groups of a LeaderWorkerSet, counted in groups. */
  static Verdict leaderWorkerSet(GenericKubernetesResource lws) {
    String name = "leaderworkerset " + lws.getMetadata().getName();
    int replicas = LeaderWorkerSetApi.replicas(lws);
    Map<String, Object> s = LeaderWorkerSetApi.status(lws);
    if (s == null) return Verdict.waiting(0, replicas, name + ": no status yet");
    int ready = LeaderWorkerSetApi.intOr(s.get("readyReplicas"), 0);
    int updated = LeaderWorkerSetApi.intOr(s.get("updatedReplicas"), 0);
    int counted = Math.min(Math.min(ready, updated), replicas);
    Long observed = s.get("observedGeneration") instanceof Number n ? n.longValue() : null;
    if (!generationObserved(lws.getMetadata().getGeneration(), observed)) {
      return Verdict.waiting(counted, replicas, name + ": waiting for the controller to see the new spec");
    }
    if (updated < replicas) {
      return Verdict.waiting(counted, replicas, name + ": " + updated + " of " + replicas + " groups updated");
    }
    if (ready < replicas) {
      return Verdict.waiting(counted, replicas, name + ": " + ready + " of " + replicas + " groups ready");
    }
    if (!conditionTrue(s, "Available")) {
      return Verdict.waiting(counted, replicas, name + ": not Available yet");
    }
    return new Verdict(State.READY, replicas, replicas, name + ": " + replicas + "/" + replicas + " groups ready");
  }

  /** The leaders of a LeaderWorkerSet: {@code leaders} are its current-template leader pods. */
  static Verdict leaderWorkerSetLeaders(GenericKubernetesResource lws, List<Pod> leaders) {
    String name = "leaderworkerset " + lws.getMetadata().getName();
    int replicas = LeaderWorkerSetApi.replicas(lws);
    java.util.Set<String> readyGroups = new java.util.HashSet<>();
    for (Pod p : leaders) {
      String group = p.getMetadata().getLabels() == null ? null
          : p.getMetadata().getLabels().get(LeaderWorkerSetApi.GROUP_INDEX_LABEL);
      if (group != null && group.matches("[0-9]{1,9}") && PodRules.podReady(p)
          && Integer.parseInt(group) < replicas) {
        readyGroups.add(group);
      }
    }
    int ready = readyGroups.size();
    return ready >= replicas
        ? new Verdict(State.READY, replicas, replicas, name + ": " + replicas + "/" + replicas + " leaders ready")
        : Verdict.waiting(ready, replicas, name + ": " + ready + " of " + replicas + " leaders ready");
  }

  /** A LeaderWorkerSet group recreated {@link #MAX_GROUP_RESTARTS} times: the message, else null. */
  static String groupRestartFailure(String lwsName, GroupRestarts.Group worst) {
    if (worst == null || worst.restarts() < MAX_GROUP_RESTARTS) return null;
    return "leaderworkerset " + lwsName + ": group " + worst.index() + " was recreated " + worst.restarts()
        + " times (restartPolicy RecreateGroupOnPodRestart restarts a group when any of its pods fails)"
        + (worst.lastCrash() == null ? "" : "; last failure: " + worst.lastCrash());
  }

  @SuppressWarnings("unchecked")
  private static boolean conditionTrue(Map<String, Object> status, String type) {
    if (!(status.get("conditions") instanceof List<?> conditions)) return false;
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) return "True".equals(m.get("status"));
    }
    return false;
  }

  /**
   * Whether the controller has seen the workload's current spec. Until it has, the pods there belong to the
   * previous spec, so their problems are not the new revision's (Jobs have no observed generation: always true).
   */
  static boolean specObserved(io.fabric8.kubernetes.api.model.HasMetadata w) {
    if (w instanceof Deployment d) {
      return generationObserved(d.getMetadata().getGeneration(),
          d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
    }
    if (w instanceof StatefulSet s) {
      return generationObserved(s.getMetadata().getGeneration(),
          s.getStatus() == null ? null : s.getStatus().getObservedGeneration());
    }
    if (w instanceof GenericKubernetesResource lws && LeaderWorkerSetApi.is(lws)) {
      Map<String, Object> s = LeaderWorkerSetApi.status(lws);
      return generationObserved(lws.getMetadata().getGeneration(),
          s != null && s.get("observedGeneration") instanceof Number n ? n.longValue() : null);
    }
    return true;
  }

  private static boolean generationObserved(Long generation, Long observed) {
    return generation == null || (observed != null && observed >= generation);
  }

  private static int orZero(Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }
}
