package ai.dynamo.deploy.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.fake.FakeTarget;
import ai.dynamo.deploy.workflows.DeployIds;
import io.temporal.activity.ActivityInterface;
import io.temporal.api.enums.v1.EventType;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: polling stops, in-flight activities finish within the grace period, another worker carries on. */
class DeployWorkerTest {
  @ActivityInterface
  public interface SlowActivity {
    String slow();
  }

  @WorkflowInterface
  public interface OneActivityWorkflow {
    @WorkflowMethod
    String run();
  }

  public static class OneActivityWorkflowImpl implements OneActivityWorkflow {
    @Override
    public String run() {
      return Workflow.newActivityStub(SlowActivity.class, ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
              .build())
          .slow();
    }
  }

  /** Sleeps until released (or interrupted); records whether it ran to the end. */
  static final class SlowActivityImpl implements SlowActivity {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean finished = new AtomicBoolean();

    @Override
    public String slow() {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      finished.set(true);
      return "done";
    }
  }

  TestWorkflowEnvironment env;
  WorkflowClient client;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static Consumer<Worker> registrations(SlowActivity activity) {
    return w -> {
      w.registerWorkflowImplementationTypes(OneActivityWorkflowImpl.class);
      w.registerActivitiesImplementations(activity);
    };
  }

  private WorkflowStub startWorkflow() {
    OneActivityWorkflow wf = client.newWorkflowStub(OneActivityWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(DeployIds.TASK_QUEUE).setWorkflowId("graceful").build());
    WorkflowClient.start(wf::run);
    return WorkflowStub.fromTyped(wf);
  }

  @Test
  void anInFlightActivityFinishesWithinTheGracePeriodAndItsResultIsRecorded() throws Exception {
    SlowActivityImpl activity = new SlowActivityImpl();
    DeployWorker first = DeployWorker.start(client, registrations(activity));
    WorkflowStub run = startWorkflow();
    assertTrue(activity.started.await(30, TimeUnit.SECONDS));

    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(300); // released only after shutdown began: the activity is in flight during shutdown
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      activity.release.countDown();
    });
    releaser.start();
    assertTrue(first.shutdown(Duration.ofSeconds(30)), "finished within the grace period");
    assertTrue(first.isTerminated());
    assertTrue(activity.finished.get(), "the in-flight activity ran to its end");
    // ...and its completion reached Temporal, so no other worker has to run it again.
    boolean recorded = client.fetchHistory(run.getExecution().getWorkflowId()).getEvents().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    assertTrue(recorded, "ActivityTaskCompleted is in the history");
  }

  @Test
  void activitiesStillRunningAfterTheGracePeriodAreInterrupted() throws Exception {
    SlowActivityImpl activity = new SlowActivityImpl();
    DeployWorker worker = DeployWorker.start(client, registrations(activity));
    startWorkflow();
    assertTrue(activity.started.await(30, TimeUnit.SECONDS));
    assertFalse(worker.shutdown(Duration.ofMillis(200)), "reports that work was still in flight");
    assertTrue(worker.isTerminated());
    assertFalse(activity.finished.get());
  }

  /**
   * The worker registers the real targets and what the class path contributes: here the test fixtures' fake target
   * (the testing jar is on this test class path, never in the shipped jar); no environment variable adds one.
   */
  @Test
  void productionServesTheRealTargetsPlusOnlyWhatTheClassPathContributes() {
    assertEquals(Set.of("k8s", "slurm", "fake"), DeployRegistration.production().kinds());
    assertEquals(Set.of("fake"), DeployRegistration.of(new FakeTarget()).kinds());
  }
}
