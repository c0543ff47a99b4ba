package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.State;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.Verdict;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every rule of {@link WorkloadReadiness} and {@link PodRules}, one at a time: each test breaks exactly one condition
 * of readiness.
 */
class WorkloadReadinessTest {

  // ---- Deployment ----------------------------------------------------------------------------------------------

  private static Deployment deployment(long generation, DeploymentStatusBuilder status) {
    return new DeploymentBuilder().withNewMetadata().withName("d").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(3).endSpec().withStatus(status.build()).build();
  }

  private static DeploymentStatusBuilder healthy() {
    return new DeploymentStatusBuilder().withObservedGeneration(2L).withReplicas(3).withUpdatedReplicas(3)
        .withAvailableReplicas(3).withReadyReplicas(3);
  }

  @Test
  void deploymentReadyWhenEveryConditionHolds() {
    Verdict v = WorkloadReadiness.deployment(deployment(2, healthy()));
    assertEquals(State.READY, v.state());
    assertEquals(3, v.ready());
  }

  @Test
  void deploymentWaitsUntilTheControllerObservedTheGeneration() {
    Verdict v = WorkloadReadiness.deployment(deployment(3, healthy()));
    assertEquals(State.WAITING, v.state());
    assertTrue(v.message().contains("new spec"), v.message());
  }

  @Test
  void deploymentWaitsForUpdatedReplicas() {
    Verdict v = WorkloadReadiness.deployment(deployment(2, healthy().withUpdatedReplicas(2)));
    assertEquals(State.WAITING, v.state());
    assertTrue(v.message().contains("2 of 3 replicas updated"), v.message());
  }

  @Test
  void deploymentWaitsForOldReplicasToGo() {
    Verdict v = WorkloadReadiness.deployment(deployment(2, healthy().withReplicas(4)));
    assertEquals(State.WAITING, v.state());
    assertTrue(v.message().contains("1 old replicas pending termination"), v.message());
  }

  @Test
  void deploymentWaitsForAvailableReplicas() {
    Verdict v = WorkloadReadiness.deployment(deployment(2, healthy().withAvailableReplicas(1)));
    assertEquals(State.WAITING, v.state());
    assertEquals(1, v.ready());
  }

  @Test
  void deploymentFailsAtOnceOnProgressDeadlineExceeded() {
    Verdict v = WorkloadReadiness.deployment(deployment(2, healthy().withAvailableReplicas(0).addNewCondition()
        .withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded").endCondition()));
    assertEquals(State.FAILED, v.state());
    assertTrue(v.message().contains("ProgressDeadlineExceeded"), v.message());
  }

  // ---- StatefulSet ---------------------------------------------------------------------------------------------

  private static StatefulSet statefulSet(long generation, StatefulSetStatusBuilder status) {
    return new StatefulSetBuilder().withNewMetadata().withName("s").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(2).endSpec().withStatus(status.build()).build();
  }

  private static StatefulSetStatusBuilder settled() {
    return new StatefulSetStatusBuilder().withObservedGeneration(1L).withReplicas(2).withReadyReplicas(2)
        .withUpdatedReplicas(2).withCurrentRevision("s-1").withUpdateRevision("s-1");
  }

  @Test
  void statefulSetReadyWhenEveryConditionHolds() {
    assertEquals(State.READY, WorkloadReadiness.statefulSet(statefulSet(1, settled())).state());
  }

  @Test
  void statefulSetWaitsForObservedGeneration() {
    assertEquals(State.WAITING, WorkloadReadiness.statefulSet(statefulSet(2, settled())).state());
  }

  @Test
  void statefulSetWaitsForReadyReplicas() {
    Verdict v = WorkloadReadiness.statefulSet(statefulSet(1, settled().withReadyReplicas(1)));
    assertEquals(State.WAITING, v.state());
    assertEquals(1, v.ready());
  }

  @Test
  void statefulSetWaitsForUpdatedReplicas() {
    assertEquals(State.WAITING, WorkloadReadiness.statefulSet(statefulSet(1, settled().withUpdatedReplicas(1))).state());
  }

  @Test
  void statefulSetWaitsUntilCurrentRevisionIsTheUpdateRevision() {
    Verdict v = WorkloadReadiness.statefulSet(statefulSet(1, settled().withUpdateRevision("s-2")));
    assertEquals(State.WAITING, v.state());
    assertTrue(v.message().contains("s-2"), v.message());
  }

  @Test
  void aStatefulSetWithMinReadySecondsWaitsUntilItsPodsHaveStayedUp() {
    StatefulSet set = statefulSet(1, settled().withAvailableReplicas(1));
    set.getSpec().setMinReadySeconds(5);
    Verdict v = WorkloadReadiness.statefulSet(set);
    assertEquals(State.WAITING, v.state(), "Ready pods that started a moment ago are not yet available");
    assertTrue(v.message().contains("1 of 2 pods up for 5 s"), v.message());
    set.getStatus().setAvailableReplicas(2);
    assertEquals(State.READY, WorkloadReadiness.statefulSet(set).state());
    StatefulSet plain = statefulSet(1, settled());
    assertEquals(State.READY, WorkloadReadiness.statefulSet(plain).state(), "no minReadySeconds: Ready is enough");
  }

  // ---- Job -----------------------------------------------------------------------------------------------------

  private static Job job(JobStatusBuilder status) {
    return new JobBuilder().withNewMetadata().withName("j").endMetadata()
        .withNewSpec().withCompletions(2).withBackoffLimit(2).endSpec().withStatus(status.build()).build();
  }

  @Test
  void jobDoneWhenEveryCompletionSucceeded() {
    assertEquals(State.READY, WorkloadReadiness.job(job(new JobStatusBuilder().withSucceeded(2))).state());
    assertEquals(State.WAITING, WorkloadReadiness.job(job(new JobStatusBuilder().withSucceeded(1).withActive(1))).state());
  }

  @Test
  void jobFailsBeyondItsBackoffLimit() {
    assertEquals(State.WAITING, WorkloadReadiness.job(job(new JobStatusBuilder().withFailed(2).withActive(1))).state(),
        "at the limit the Job may still retry");
    Verdict v = WorkloadReadiness.job(job(new JobStatusBuilder().withFailed(3)));
    assertEquals(State.FAILED, v.state());
    assertTrue(v.message().contains("backoff limit of 2"), v.message());
  }

  @Test
  void jobFailsOnAFailedCondition() {
    Verdict v = WorkloadReadiness.job(job(new JobStatusBuilder().addNewCondition().withType("Failed")
        .withStatus("True").withReason("DeadlineExceeded").endCondition()));
    assertEquals(State.FAILED, v.state());
    assertTrue(v.message().contains("DeadlineExceeded"), v.message());
  }

  // ---- Pods ----------------------------------------------------------------------------------------------------

  private static Pod waiting(String reason) {
    return new PodBuilder().withNewMetadata().withName("p-0").endMetadata().withNewStatus()
        .addNewContainerStatus().withName("c").withNewState().withNewWaiting().withReason(reason).withMessage("m")
        .endWaiting().endState().endContainerStatus().endStatus().build();
  }

  @Test
  void fatalContainerStatesFailNamingPodAndReason() {
    for (String reason : List.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError")) {
      String failure = PodRules.podFailure(List.of(waiting(reason)), Instant.now(), Duration.ofMinutes(5));
      assertEquals("pod p-0: " + reason + ": m", failure);
    }
    assertNull(PodRules.podFailure(List.of(waiting("ContainerCreating")), Instant.now(), Duration.ofMinutes(5)),
        "an ordinary start is not a failure");
  }

  @Test
  void initContainersCountToo() {
    Pod pod = new PodBuilder().withNewMetadata().withName("p-1").endMetadata().withNewStatus()
        .addNewInitContainerStatus().withName("init").withNewState().withNewWaiting().withReason("ErrImagePull")
        .endWaiting().endState().endInitContainerStatus().endStatus().build();
    assertEquals("pod p-1: ErrImagePull", PodRules.podFailure(List.of(pod), Instant.now(), Duration.ZERO));
  }

  @Test
  void unschedulableFailsOnlyAfterTheGracePeriod() {
    Instant since = Instant.parse("2026-01-01T00:00:00Z");
    Pod pod = new PodBuilder().withNewMetadata().withName("p-2").endMetadata().withNewStatus().addNewCondition()
        .withType("PodScheduled").withStatus("False").withReason("Unschedulable").withMessage("0/4 nodes")
        .withLastTransitionTime(since.toString()).endCondition().endStatus().build();
    Duration grace = Duration.ofMinutes(5);
    assertNull(PodRules.podFailure(List.of(pod), since.plus(Duration.ofMinutes(4)), grace));
    assertEquals("pod p-2: Unschedulable (0/4 nodes)", PodRules.pendingReason(List.of(pod)));
    String failure = PodRules.podFailure(List.of(pod), since.plus(Duration.ofMinutes(6)), grace);
    assertEquals("pod p-2: Unschedulable for more than 300s (0/4 nodes)", failure);
  }

  @Test
  void podsOfAnOlderStatefulSetRevisionAreLeftOut() {
    StatefulSet set = statefulSet(2, settled().withUpdateRevision("s-2"));
    Pod old = new PodBuilder().withNewMetadata().withName("s-0")
        .addToLabels(CurrentPods.CONTROLLER_REVISION_HASH, "s-1").endMetadata().build();
    Pod current = new PodBuilder().withNewMetadata().withName("s-1")
        .addToLabels(CurrentPods.CONTROLLER_REVISION_HASH, "s-2").endMetadata().build();
    Pod unlabelled = new PodBuilder().withNewMetadata().withName("s-2").endMetadata().build();
    assertEquals(List.of(current, unlabelled),
        CurrentPods.of(List.of(set), List.of(old, current, unlabelled), List.of()));
  }

  @Test
  void podProblemsWaitUntilTheControllerSawTheNewSpec() {
    assertFalse(WorkloadReadiness.specObserved(deployment(3, healthy())));
    assertTrue(WorkloadReadiness.specObserved(deployment(2, healthy())));
  }
}
