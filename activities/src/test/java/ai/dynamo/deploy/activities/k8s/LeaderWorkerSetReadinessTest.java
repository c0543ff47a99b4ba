package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.State;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.Verdict;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The LeaderWorkerSet rules of {@link WorkloadReadiness} and the {@link GroupRestarts} tracker, one at a time. */
class LeaderWorkerSetReadinessTest {

  private static GenericKubernetesResource lws(long generation, Map<String, Object> status) {
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("size", 3);
    template.put("workerTemplate", Map.of("metadata", Map.of("annotations",
        Map.of(LeaderWorkerSetApi.TEMPLATE_HASH, "current"))));
    GenericKubernetesResource lws = new GenericKubernetesResourceBuilder()
        .withApiVersion(LeaderWorkerSetApi.API_VERSION).withKind(LeaderWorkerSetApi.KIND)
        .withNewMetadata().withName("g-x-lws").withGeneration(generation).withUid("u1").endMetadata().build();
    lws.getAdditionalProperties().put("spec", Map.of("replicas", 2, "leaderWorkerTemplate", template));
    if (status != null) lws.getAdditionalProperties().put("status", status);
    return lws;
  }

  private static Map<String, Object> status(long observed, int ready, int updated, String condition) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("observedGeneration", observed);
    s.put("replicas", 2);
    s.put("readyReplicas", ready);
    s.put("updatedReplicas", updated);
    s.put("conditions", List.of(Map.of("type", condition, "status", "True")));
    return s;
  }

  @Test
  void groupsReadyWhenObservedUpdatedReadyAndAvailable() {
    Verdict v = WorkloadReadiness.leaderWorkerSet(lws(4, status(4, 2, 2, "Available")));
    assertEquals(State.READY, v.state());
    assertEquals(2, v.ready());
    assertEquals("leaderworkerset g-x-lws: 2/2 groups ready", v.message());
  }

  @Test
  void groupsWaitForEachConditionInTurn() {
    assertTrue(WorkloadReadiness.leaderWorkerSet(lws(4, null)).message().endsWith("no status yet"));
    assertTrue(WorkloadReadiness.leaderWorkerSet(lws(5, status(4, 2, 2, "Available"))).message()
        .endsWith("waiting for the controller to see the new spec"));
    Verdict updating = WorkloadReadiness.leaderWorkerSet(lws(4, status(4, 2, 1, "Progressing")));
    assertEquals(State.WAITING, updating.state());
    assertEquals("leaderworkerset g-x-lws: 1 of 2 groups updated", updating.message());
    assertEquals(1, updating.ready(), "ready and updated groups only");
    assertEquals("leaderworkerset g-x-lws: 1 of 2 groups ready",
        WorkloadReadiness.leaderWorkerSet(lws(4, status(4, 1, 2, "Progressing"))).message());
    Verdict notAvailable = WorkloadReadiness.leaderWorkerSet(lws(4, status(4, 2, 2, "Progressing")));
    assertEquals(State.WAITING, notAvailable.state(), "counts alone are not enough without Available");
  }

  private static Pod leader(int group, String uid, boolean ready, String hash) {
    return new PodBuilder().withNewMetadata().withName("g-x-lws-" + group).withUid(uid)
        .addToLabels(LeaderWorkerSetApi.GROUP_INDEX_LABEL, Integer.toString(group))
        .addToLabels(LeaderWorkerSetApi.WORKER_INDEX_LABEL, "0")
        .addToAnnotations(LeaderWorkerSetApi.TEMPLATE_HASH, hash).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build();
  }

  private static Pod crashedWorker(int group, String uid) {
    return new PodBuilder().withNewMetadata().withName("g-x-lws-" + group + "-1").withUid(uid)
        .addToLabels(LeaderWorkerSetApi.GROUP_INDEX_LABEL, Integer.toString(group))
        .addToLabels(LeaderWorkerSetApi.WORKER_INDEX_LABEL, "1").endMetadata()
        .withNewStatus().addNewContainerStatus().withName("engine").withRestartCount(1)
        .withNewLastState().withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated()
        .endLastState().endContainerStatus().endStatus().build();
  }

  @Test
  void leadersCountOneReadyLeaderPerGroup() {
    GenericKubernetesResource lws = lws(1, null);
    assertEquals("leaderworkerset g-x-lws: 1 of 2 leaders ready",
        WorkloadReadiness.leaderWorkerSetLeaders(lws, List.of(leader(0, "a", true, "current"),
            leader(1, "b", false, "current"))).message());
    Verdict both = WorkloadReadiness.leaderWorkerSetLeaders(lws,
        List.of(leader(0, "a", true, "current"), leader(1, "b", true, "current"), leader(2, "c", true, "current")));
    assertEquals(State.READY, both.state());
    assertEquals(2, both.ready(), "a group beyond replicas (being scaled away) does not count");
  }

  @Test
  void podsOfThePreviousTemplateAreNotJudged() {
    GenericKubernetesResource lws = lws(1, null);
    List<Pod> pods = CurrentPods.of(List.of(lws),
        List.of(leader(0, "a", true, "previous"), leader(1, "b", true, "current")), List.of());
    assertEquals(List.of("g-x-lws-1"), pods.stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  void aGroupRecreatedWithTheSameTemplateCountsAndFailsAtTheLimit() {
    GroupRestarts restarts = new GroupRestarts();
    restarts.observe(leader(0, "l1", true, "current"));
    restarts.observe(leader(1, "m1", true, "current"));
    assertNull(WorkloadReadiness.groupRestartFailure("g-x-lws", restarts.worst()));
    restarts.observe(leader(0, "l1", false, "current")); // an update of the same pod is no restart
    for (int i = 2; i <= WorkloadReadiness.MAX_GROUP_RESTARTS; i++) {
      restarts.observe(crashedWorker(0, "w" + i));
      restarts.observe(leader(0, "l" + i, false, "current"));
      assertNull(WorkloadReadiness.groupRestartFailure("g-x-lws", restarts.worst()), "after " + (i - 1));
    }
    restarts.observe(leader(0, "l-last", false, "current"));
    assertEquals("leaderworkerset g-x-lws: group 0 was recreated 3 times (restartPolicy RecreateGroupOnPodRestart "
        + "restarts a group when any of its pods fails); last failure: pod g-x-lws-0-1: container engine exited with "
        + "code 137 (OOMKilled)", WorkloadReadiness.groupRestartFailure("g-x-lws", restarts.worst()));
  }

  @Test
  void aRollingUpdateIsNoRestart() {
    GroupRestarts restarts = new GroupRestarts();
    restarts.observe(leader(0, "l1", true, "old"));
    restarts.observe(leader(0, "l2", true, "old"));
    assertEquals(1, restarts.worst().restarts());
    restarts.observe(leader(0, "l3", false, "new"));
    assertEquals(0, restarts.worst().restarts(), "a new template starts the count again");
  }

  @Test
  void aCachedWorkloadCountsOnlyOnceItIsAsFreshAsTheApiServersAnswer() {
    GenericKubernetesResource applied = lws(3, null);
    assertFalse(ReadinessWaiter.caughtUp(lws(2, null), applied), "an older generation");
    assertTrue(ReadinessWaiter.caughtUp(lws(3, null), applied));
    GenericKubernetesResource replaced = lws(3, null);
    replaced.getMetadata().setUid("u2");
    assertFalse(ReadinessWaiter.caughtUp(replaced, applied), "another object of that name");
    assertTrue(ReadinessWaiter.caughtUp(lws(1, null), null), "nothing there when the wait began");
  }
}
