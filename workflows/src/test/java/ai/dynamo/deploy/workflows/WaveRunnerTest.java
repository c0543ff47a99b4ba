package ai.dynamo.deploy.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TestGraphs;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WaveRunner} on its own: one wave of a plan, run (twice) inside a workflow. */
class WaveRunnerTest {
  /** What a probe run saw: each run's failure (empty when none) and the components touched. */
  public record Seen(List<String> failures, List<String> touched, DeployProgress progress) {}

  @WorkflowInterface
  public interface Probe {
    /** Runs wave 0 of the request's plan {@code times} times as revision 1. */
    @WorkflowMethod
    Seen run(DeployRequest request, int times);
  }

  public static class ProbeImpl implements Probe {
    @Override
    public Seen run(DeployRequest request, int times) {
      ProgressPublisher progress = ProgressPublisher.start(request);
      DeployPlan plan = new DeploySteps("g", "t").plan();
      List<String> touched = new ArrayList<>();
      WaveRunner waves = new WaveRunner(plan, 1, DeployOptions.withDefaults(request.options()), progress, touched::add);
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < times; i++) {
        try {
          waves.run(0);
          failures.add("");
        } catch (StepFailed e) {
          failures.add(e.getMessage() + (e.timedOut() ? " (timed out)" : ""));
        }
      }
      return new Seen(failures, touched, progress.snapshot());
    }
  }

  @RegisterExtension
  final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(ProbeImpl.class).setDoNotStart(true)
          .build();

  private static Seen run(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options,
      ScriptedActivities script, Graph graph, int times) {
    worker.registerActivitiesImplementations(script);
    env.start();
    Probe probe = env.getWorkflowClient().newWorkflowStub(Probe.class, options);
    return WorkflowClient.execute(probe::run, WorkflowRuns.request(graph), times).join();
  }

  @Test
  void aGroupBringsItsLeaderUpBeforeItsWorkers(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    Graph graph = new Graph("1.0", "g", List.of(TestGraphs.component("group", "dyn://a.b.c", 2, 3)));
    ScriptedActivities script = new ScriptedActivities(graph);
    Seen seen = run(env, worker, options, script, graph, 1);

    assertEquals(List.of("plan", "apply group LEADER", "await group LEADER", "ready group LEADER",
        "apply group WORKERS", "await group WORKERS", "ready group WORKERS"), script.calls());
    ComponentProgress group = seen.progress().component("group");
    assertEquals(ComponentPhase.READY, group.phase());
    assertEquals(6, group.ready(), "2 leaders + 4 workers");
    assertEquals(Phase.WAITING, seen.progress().phase());
  }

  @Test
  void aReadyComponentIsSkippedWhenTheWaveRunsAgain(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    // engine is ready after two steps; the group fails at its fourth (its workers), so engine is READY by then.
    Graph graph = new Graph("1.0", "g", List.of(TestGraphs.service("engine", "dyn://a.b.c", 1),
        TestGraphs.component("group", "dyn://d.e.f", 1, 2)));
    ScriptedActivities script = new ScriptedActivities(graph).fail("group", "workers");
    Seen seen = run(env, worker, options, script, graph, 2);

    assertEquals(2, seen.failures().size());
    assertTrue(seen.failures().get(0).startsWith("group: pod group-0: CrashLoopBackOff"), seen.toString());
    assertEquals(1, script.calls().stream().filter("apply engine ALL"::equals).count(), "engine stays READY");
    assertEquals(2, script.calls().stream().filter("apply group LEADER"::equals).count(), script.calls().toString());
    assertEquals(List.of("engine", "group", "group", "group", "group"), seen.touched());
    assertEquals(ComponentPhase.FAILED, seen.progress().component("group").phase());
  }

  @Test
  void aTimeoutIsReportedAsOne(TestWorkflowEnvironment env, Worker worker, WorkflowOptions options) {
    Graph graph = TestGraphs.wide(1);
    Seen seen = run(env, worker, options, new ScriptedActivities(graph).neverReady("engine_0"), graph, 1);
    assertTrue(seen.failures().get(0).endsWith("(timed out)"), seen.toString());
  }
}
