package ai.dynamo.deploy.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.WorkerWarmUp;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A production worker's warm-up (what {@code dynamo worker} and {@code dynamo server} run before polling) completes
 * for the real targets: the replay, the Kubernetes target's manifests read into fabric8's model, the Slurm target's
 * SSH stack and sbatch rendering. No cluster is contacted (none exists in this test).
 */
class WorkerWarmUpProductionTest {
  @Test
  void everyProductionTargetWarmsUpWithoutACluster() {
    try (TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance()) {
      WorkerWarmUp.Report report = DeployRegistration.production().warmUp(temporal.getWorkflowClient());
      assertEquals(List.of(), report.failures());
      assertTrue(report.replayed());
    assertTrue(report.rehearsed());
      assertTrue(report.warmedTargets().containsAll(List.of("k8s", "slurm")), report.warmedTargets().toString());
    }
  }
}
