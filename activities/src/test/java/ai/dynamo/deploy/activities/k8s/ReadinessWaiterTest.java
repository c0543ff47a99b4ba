package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.State;
import ai.dynamo.deploy.activities.k8s.WorkloadReadiness.Verdict;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a wait combines workload verdicts and pod problems while the informer cache catches up with an apply. */
class ReadinessWaiterTest {
  private final ReadinessWaiter waiter =
      new ReadinessWaiter(null, K8sGraphs.NS, Clock.systemUTC(), Duration.ofMinutes(5), null);
  private final Component engine =
      K8sGraphs.component("engine", K8sGraphs.IMAGE, "dyn://g.b.c", 1, 1, 0, List.of());

  private static Deployment deployment(long generation, Long observed) {
    return new DeploymentBuilder().withNewMetadata().withName("g-engine").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(1).endSpec()
        .withNewStatus().withObservedGeneration(observed).withReplicas(1).endStatus().build();
  }

  private static Pod crashing() {
    return new PodBuilder().withNewMetadata().withName("g-engine-old-0").endMetadata()
        .withNewStatus().withPhase("Running").addNewContainerStatus().withName("engine").withRestartCount(4)
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
        .endContainerStatus().endStatus().build();
  }

  @Test
  void podsDoNotFailAStageWhoseWorkloadTheCacheDoesNotHoldAsAppliedYet() {
    // The cache still has the workload as it was before the apply (so it is not "live"): the crashing pod may be
    // the previous revision's.
    Verdict v = waiter.evaluate(engine, Stage.ALL, List.<HasMetadata>of(deployment(2, null)), Map.of(),
        List.of(crashing()), 1, new GroupRestarts());
    assertEquals(State.WAITING, v.state(), v.message());
  }

  @Test
  void podsFailAStageOnceItsWorkloadIsCurrentAndObserved() {
    Deployment applied = deployment(2, 2L);
    Verdict v = waiter.evaluate(engine, Stage.ALL, List.<HasMetadata>of(applied), Map.of("g-engine", applied),
        List.of(crashing()), 1, new GroupRestarts());
    assertEquals(State.FAILED, v.state(), v.message());
    assertTrue(v.message().contains("CrashLoopBackOff"), v.message());
  }
}
