package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.activities.DeployContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a wait may take from this worker's applies: only the same run's, revision's and component's full answer. */
class AppliedJobsTest {
  private static final DeployContext RUN = new DeployContext(null, "deploy/slurm/test/g", "run-1");
  private static final DeployContext RERUN = new DeployContext(null, "deploy/slurm/test/g", "run-2");

  @Test
  void recallsTheLastAnswerOfTheSameRunRevisionAndComponent() {
    AppliedJobs applied = new AppliedJobs();
    applied.remember(RUN, 1, "web", List.of("11", "12"));
    applied.remember(RUN, 1, "web", List.of("11", "13")); // a retried apply replaced replica 1's job
    assertEquals(Optional.of(Map.of(0, "11", 1, "13")), applied.recall(RUN, 1, "web", 2));
    assertEquals(List.of(0, 1), List.copyOf(applied.recall(RUN, 1, "web", 2).orElseThrow().keySet()), "replica order");
    assertEquals(Optional.empty(), applied.recall(RERUN, 1, "web", 2), "another run's jobs are not this run's");
    assertEquals(Optional.empty(), applied.recall(RUN, 2, "web", 2), "another revision");
    assertEquals(Optional.empty(), applied.recall(RUN, 1, "api", 2), "another component");
    assertEquals(Optional.empty(), applied.recall(RUN, 1, "web", 3), "fewer replicas answered than the wait has");
  }

  @Test
  void theOldestAreForgottenBeyondTheCapacity() {
    AppliedJobs applied = new AppliedJobs();
    for (int i = 0; i <= AppliedJobs.CAPACITY; i++) applied.remember(RUN, 1, "c" + i, List.of(String.valueOf(i)));
    assertEquals(Optional.empty(), applied.recall(RUN, 1, "c0", 1));
    assertEquals(Optional.of(Map.of(0, "1")), applied.recall(RUN, 1, "c1", 1));
    assertEquals(Optional.of(Map.of(0, String.valueOf(AppliedJobs.CAPACITY))),
        applied.recall(RUN, 1, "c" + AppliedJobs.CAPACITY, 1));
  }
}
