package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts how often each LeaderWorkerSet group was recreated during one wait. With {@code restartPolicy:
 * RecreateGroupOnPodRestart} LWS deletes a group's leader as soon as any container of the group restarts, so a
 * crash-looping pod never shows {@code CrashLoopBackOff}: its signature is the group's leader pod coming back again
 * and again with a new UID (and the template unchanged), each time after a container exited with an error. Fed
 * with every pod event of the component by the wait; {@link WorkloadReadiness#groupRestartFailure} judges it.
 */
final class GroupRestarts {
  /** One group as seen so far. */
  record Group(int index, String leaderUid, String templateHash, int restarts, String lastCrash) {}

  private final Map<Integer, Group> groups = new ConcurrentHashMap<>();

  /** Looks at one pod (other objects are ignored). */
  void observe(HasMetadata o) {
    if (!(o instanceof Pod pod) || pod.getMetadata().getLabels() == null) return;
    Map<String, String> labels = pod.getMetadata().getLabels();
    Integer index = parse(labels.get(LeaderWorkerSetApi.GROUP_INDEX_LABEL));
    if (index == null) return;
    String crash = crash(pod);
    boolean leader = "0".equals(labels.get(LeaderWorkerSetApi.WORKER_INDEX_LABEL));
    String hash = pod.getMetadata().getAnnotations() == null ? null
        : pod.getMetadata().getAnnotations().get(LeaderWorkerSetApi.TEMPLATE_HASH);
    groups.compute(index, (i, g) -> {
      if (g == null) return new Group(i, leader ? pod.getMetadata().getUid() : null, hash, 0, crash);
      String lastCrash = crash != null ? crash : g.lastCrash();
      if (!leader || Objects.equals(g.leaderUid(), pod.getMetadata().getUid())) {
        return new Group(i, g.leaderUid(), g.templateHash(), g.restarts(), lastCrash);
      }
      if (g.leaderUid() == null) return new Group(i, pod.getMetadata().getUid(), hash, g.restarts(), lastCrash);
      // a new leader of the same template: the group was recreated; of another template: a rolling update
      boolean sameTemplate = Objects.equals(hash, g.templateHash());
      return new Group(i, pod.getMetadata().getUid(), hash, sameTemplate ? g.restarts() + 1 : 0,
          sameTemplate ? lastCrash : crash);
    });
  }

  /** The group recreated most often, or null when none was seen. */
  Group worst() {
    Group worst = null;
    for (Group g : new ArrayList<>(groups.values())) {
      if (worst == null || g.restarts() > worst.restarts()) worst = g;
    }
    return worst;
  }

  /** "pod x: container y exited with code 1 (Error)" for a container that ended in an error, or null. */
  static String crash(Pod pod) {
    if (pod.getStatus() == null) return null;
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) statuses.addAll(pod.getStatus().getInitContainerStatuses());
    if (pod.getStatus().getContainerStatuses() != null) statuses.addAll(pod.getStatus().getContainerStatuses());
    for (ContainerStatus cs : statuses) {
      ContainerStateTerminated t = cs.getState() != null && cs.getState().getTerminated() != null
          ? cs.getState().getTerminated()
          : cs.getLastState() != null ? cs.getLastState().getTerminated() : null;
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        return "pod " + pod.getMetadata().getName() + ": container " + cs.getName() + " exited with code "
            + t.getExitCode() + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
      }
    }
    return null;
  }

  private static Integer parse(String value) {
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
