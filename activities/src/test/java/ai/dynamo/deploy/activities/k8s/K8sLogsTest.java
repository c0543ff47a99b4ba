package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.TargetFailure;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pod {@code dynamo deploy logs} reads, for each shape the renderer makes. */
class K8sLogsTest {
  private static Pod pod(String name, Map<String, String> labels, Map<String, String> annotations) {
    return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).withAnnotations(annotations)
        .endMetadata().build();
  }

  private static LogRequest request(int replica, Integer rank) {
    return new LogRequest("c", replica, rank, 0, -1, false);
  }

  @Test
  void aServiceReplicaIsItsPodByNameAndHasNoRanks() {
    List<Pod> pods = List.of(pod("g-c-7d9-b", Map.of("app.kubernetes.io/component", "service"), Map.of()),
        pod("g-c-7d9-a", Map.of("app.kubernetes.io/component", "service"), Map.of()));
    assertEquals("g-c-7d9-a", K8sLogs.pick(pods, request(0, null)).getMetadata().getName());
    assertEquals("g-c-7d9-b", K8sLogs.pick(pods, request(1, null)).getMetadata().getName());
    TargetFailure rank = assertThrows(TargetFailure.class, () -> K8sLogs.pick(pods, request(0, 1)));
    assertTrue(rank.getMessage().contains("not a multi-node group"), rank.getMessage());
    TargetFailure none = assertThrows(TargetFailure.class, () -> K8sLogs.pick(pods, request(2, null)));
    assertTrue(none.getMessage().contains("(its pods: g-c-7d9-a, g-c-7d9-b)"), none.getMessage());
  }

  @Test
  void aStatefulSetGroupHasItsLeaderAtTheGroupsOrdinalAndWorkersAtTheirRank() {
    List<Pod> pods = List.of(
        pod("g-c-leader-0", Map.of("app.kubernetes.io/component", "leader"), Map.of()),
        pod("g-c-leader-1", Map.of("app.kubernetes.io/component", "leader"), Map.of()),
        pod("g-c-worker-1-1", Map.of("app.kubernetes.io/component", "worker", "deploy.dynamo.ai/group", "1"), Map.of()),
        pod("g-c-worker-1-2", Map.of("app.kubernetes.io/component", "worker", "deploy.dynamo.ai/group", "1"), Map.of()));
    assertEquals("g-c-leader-1", K8sLogs.pick(pods, request(1, null)).getMetadata().getName());
    assertEquals("g-c-worker-1-2", K8sLogs.pick(pods, request(1, 2)).getMetadata().getName());
  }

  @Test
  void anIndexedJobGroupHasItsRankInTheCompletionIndex() {
    List<Pod> pods = List.of(
        pod("g-c-group-0-0-x", Map.of("app.kubernetes.io/component", "batch", "deploy.dynamo.ai/group", "0"),
            Map.of(K8sLogs.JOB_INDEX, "0")),
        pod("g-c-group-0-1-y", Map.of("app.kubernetes.io/component", "batch", "deploy.dynamo.ai/group", "0"),
            Map.of(K8sLogs.JOB_INDEX, "1")));
    assertEquals("g-c-group-0-1-y", K8sLogs.pick(pods, request(0, 1)).getMetadata().getName());
    assertEquals("g-c-group-0-0-x", K8sLogs.pick(pods, request(0, null)).getMetadata().getName());
  }

  @Test
  void aLeaderWorkerSetGroupHasItsOwnIndexLabels() {
    List<Pod> pods = List.of(
        pod("g-c-1", Map.of("app.kubernetes.io/component", "group", LeaderWorkerSetApi.GROUP_INDEX_LABEL, "1",
            LeaderWorkerSetApi.WORKER_INDEX_LABEL, "0"), Map.of()),
        pod("g-c-1-1", Map.of("app.kubernetes.io/component", "group", LeaderWorkerSetApi.GROUP_INDEX_LABEL, "1",
            LeaderWorkerSetApi.WORKER_INDEX_LABEL, "1"), Map.of()));
    assertEquals("g-c-1", K8sLogs.pick(pods, request(1, null)).getMetadata().getName());
    assertEquals("g-c-1-1", K8sLogs.pick(pods, request(1, 1)).getMetadata().getName());
  }
}
