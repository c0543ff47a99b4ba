package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.Eventually;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import ai.dynamo.deploy.testing.k8s.SimulatedController.Behaviour;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.Stage;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The target's apply and readiness wait against the mock API server, with the simulated controller playing out
 * each scenario.
 */
@Timeout(60)
class K8sReadinessScenariosTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS).withController(NS);
  private final SimulatedController controller = cluster.controller();
  private final K8sTarget target = new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC());

  private ReadyState bringUp(DeployContext ctx, Component c, Stage stage, RecordingWatch watch) {
    target.apply(ctx, 1, c, stage);
    return target.awaitReady(ctx, 1, c, stage, watch);
  }

  private TargetFailure failing(DeployContext ctx, Component c, Stage stage) {
    return assertThrows(TargetFailure.class, () -> bringUp(ctx, c, stage, new RecordingWatch()));
  }

  @Test
  void allReadyEveryKindOfComponent() {
    Graph graph = K8sGraphs.sample(IMAGE);
    DeployContext ctx = K8sGraphs.context(graph, Map.of());
    for (Component c : graph.components()) {
      for (Stage stage : c.multiNode().isMultiNode() ? new Stage[] {Stage.LEADER, Stage.WORKERS} : new Stage[] {Stage.ALL}) {
        ReadyState state = bringUp(ctx, c, stage, new RecordingWatch());
        assertEquals(stage.units(c), state.ready(), c.name() + " " + stage + ": " + state.message());
        assertEquals(state.desired(), state.ready());
      }
    }
    assertEquals("1", cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get()
        .getMetadata().getLabels().get(ManifestSet.REVISION), "apply adds the revision label");
  }

  @Test
  void multiNodeBatchGroupLeaderRunsThenTheWholeGroupCompletes() {
    Component c = K8sGraphs.component("scoring", IMAGE, "batch:/data/in.jsonl", 2, 2, 1, java.util.List.of());
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of());
    controller.behave("g-scoring-group-0", Behaviour.SLOW).behave("g-scoring-group-1", Behaviour.SLOW);
    ReadyState leaders = bringUp(ctx, c, Stage.LEADER, new RecordingWatch());
    assertEquals(2, leaders.ready(), leaders.message());
    assertEquals(2, cluster.client.batch().v1().jobs().inNamespace(NS).list().getItems().size(),
        "the leader stage applies every group's Indexed Job: all ranks of a group start together");
    ReadyState all = bringUp(ctx, c, Stage.WORKERS, new RecordingWatch());
    assertEquals(2, all.ready(), all.message());
    assertTrue(all.message().contains("completed"), all.message());
  }

  @Test
  void slowStartHeartbeatsGrowingReadyCounts() {
    Component slow = K8sGraphs.component("engine", IMAGE + "-x:slow", "dyn://g.b.c", 3, 1, 0, java.util.List.of());
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", slow), Map.of());
    RecordingWatch watch = new RecordingWatch();
    ReadyState state = bringUp(ctx, slow, Stage.ALL, watch);
    assertEquals(3, state.ready());
    assertTrue(watch.reports().stream().anyMatch(r -> r.ready() > 0 && r.ready() < 3),
        "progress shows partial counts: " + watch.reports());
    assertTrue(watch.reports().stream().allMatch(r -> r.desired() == 3));
  }

  @Test
  void crashLoopFailsAtOnceNamingPodAndReason() {
    Component c = K8sGraphs.component("engine", IMAGE + "-x:crashloop", "dyn://g.b.c", 1, 1, 0, java.util.List.of());
    TargetFailure f = failing(K8sGraphs.context(K8sGraphs.graph("g", c), Map.of()), c, Stage.ALL);
    assertEquals(DeployFailures.COMPONENT_FAILED, f.type());
    assertTrue(f.getMessage().contains("pod g-engine-"), f.getMessage());
    assertTrue(f.getMessage().contains("CrashLoopBackOff (exit code 1"), f.getMessage());
  }

  @Test
  void imagePullBackOffFailsAtOnce() {
    Component c = K8sGraphs.component("engine", IMAGE + "-x:badpull", "dyn://g.b.c", 1, 1, 0, java.util.List.of());
    TargetFailure f = failing(K8sGraphs.context(K8sGraphs.graph("g", c), Map.of()), c, Stage.ALL);
    assertEquals(DeployFailures.COMPONENT_FAILED, f.type());
    assertTrue(f.getMessage().contains("ImagePullBackOff"), f.getMessage());
  }

  @Test
  void createContainerConfigErrorFailsAtOnce() {
    Component c = K8sGraphs.frontend(IMAGE);
    controller.behave("g-frontend", Behaviour.CONFIG_ERROR);
    TargetFailure f = failing(K8sGraphs.context(K8sGraphs.graph("g", c), Map.of()), c, Stage.ALL);
    assertTrue(f.getMessage().contains("CreateContainerConfigError"), f.getMessage());
  }

  @Test
  void unschedulableFailsOnlyAfterTheGracePeriod() {
    Component c = K8sGraphs.frontend(IMAGE);
    controller.behave("g-frontend", Behaviour.UNSCHEDULABLE);
    // Within the grace period: still waiting, progress says why.
    DeployContext patient = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of());
    RecordingWatch watch = new RecordingWatch(Duration.ofSeconds(3));
    TargetFailure timeout = assertThrows(TargetFailure.class, () -> bringUp(patient, c, Stage.ALL, watch));
    assertEquals(DeployFailures.READINESS_TIMEOUT, timeout.type(), timeout.getMessage());
    assertTrue(watch.last().message().contains("Unschedulable"), watch.last().message());

    DeployContext impatient = K8sGraphs.context(K8sGraphs.graph("g", c),
        Map.of(K8sSettings.UNSCHEDULABLE_GRACE_SECONDS, "0"));
    TargetFailure f = failing(impatient, c, Stage.ALL);
    assertEquals(DeployFailures.COMPONENT_FAILED, f.type());
    assertTrue(f.getMessage().contains("Unschedulable") && f.getMessage().contains("Insufficient nvidia.com/gpu"),
        f.getMessage());
  }

  @Test
  void progressDeadlineExceededFailsAtOnce() {
    Component c = K8sGraphs.frontend(IMAGE);
    controller.behave("g-frontend", Behaviour.PROGRESS_DEADLINE);
    TargetFailure f = failing(K8sGraphs.context(K8sGraphs.graph("g", c), Map.of()), c, Stage.ALL);
    assertTrue(f.getMessage().contains("ProgressDeadlineExceeded"), f.getMessage());
  }

  @Test
  void batchJobFailingBeyondBackoffLimitFails() {
    Component c = K8sGraphs.batch(IMAGE);
    controller.behave("g-scoring", Behaviour.JOB_FAILS);
    TargetFailure f = failing(K8sGraphs.context(K8sGraphs.graph("g", c), Map.of()), c, Stage.ALL);
    assertTrue(f.getMessage().contains("job g-scoring: failed (BackoffLimitExceeded"), f.getMessage());
  }

  @Test
  void leaderReadyButAWorkerFailing() {
    Component c = K8sGraphs.group(IMAGE);
    controller.behave("g-sglang-group-worker-0", Behaviour.CRASH_LOOP);
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of());
    // Leader first: its stage applies no worker StatefulSet and becomes ready.
    target.apply(ctx, 1, c, Stage.LEADER);
    assertNull(cluster.client.apps().statefulSets().inNamespace(NS).withName("g-sglang-group-worker-0").get(),
        "workers are not applied with the leader");
    assertEquals(1, target.awaitReady(ctx, 1, c, Stage.LEADER, new RecordingWatch()).ready());
    TargetFailure f = failing(ctx, c, Stage.WORKERS);
    assertTrue(f.getMessage().contains("pod g-sglang-group-worker-0-1: CrashLoopBackOff"), f.getMessage());
  }

  @Test
  void crashingPodsOfThePreviousRevisionDoNotFailTheNewOne() {
    controller.keepOldPods(true);
    Component broken = K8sGraphs.component("engine", IMAGE + "-x:crashloop", "dyn://g.b.c", 1, 1, 0, java.util.List.of());
    assertThrows(TargetFailure.class, () -> bringUp(K8sGraphs.context(K8sGraphs.graph("g", broken), Map.of()), broken,
        Stage.ALL, new RecordingWatch()));
    // The fix goes out (its pods take a while to start) while the crashing pod of the old ReplicaSet is still there.
    Component fixed = K8sGraphs.component("engine", IMAGE + "-y:slow", "dyn://g.b.c", 1, 1, 0, java.util.List.of());
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", fixed), Map.of());
    target.apply(ctx, 2, fixed, Stage.ALL);
    ReadyState state = target.awaitReady(ctx, 2, fixed, Stage.ALL, new RecordingWatch());
    assertEquals(1, state.ready(), state.message());
    assertNotNull(cluster.client.pods().inNamespace(NS).withName("g-engine-g1-0").get(), "the old pod is still there");
  }

  @Test
  void watchDisconnectsAreSurvived() throws Exception {
    Component c = K8sGraphs.frontend(IMAGE);
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of());
    controller.pause(true);
    target.apply(ctx, 1, c, Stage.ALL);
    RecordingWatch watch = new RecordingWatch();
    CompletableFuture<ReadyState> wait =
        CompletableFuture.supplyAsync(() -> target.awaitReady(ctx, 1, c, Stage.ALL, watch));
    while (watch.reports().isEmpty()) Thread.sleep(20);
    while (cluster.api.dropWatches() == 0) Thread.sleep(20);
    controller.pause(false);
    ReadyState state = wait.get(30, TimeUnit.SECONDS);
    assertEquals(2, state.ready());
    // The shared informer watches again on its own schedule (fabric8 reconnects after a backoff); the wait may
    // already have seen the pods ready through the informer's re-list, so the second watch is awaited, not assumed.
    try {
      Eventually.within(Duration.ofSeconds(10), () -> cluster.api.requests().stream()
          .filter(r -> r.contains("watch=true") && r.contains("/deployments")).count() >= 2);
    } catch (ConditionTimeoutException e) {
      fail("the informer watched again after the drop: " + cluster.api.requests());
    }
  }

  @Test
  void serverErrorsWhileStartingTheWatchAreTransient() {
    Component c = K8sGraphs.frontend(IMAGE);
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of());
    target.apply(ctx, 1, c, Stage.ALL);
    controller.pause(true);
    cluster.api.failNext("GET", "/deployments", 500, 1000);
    TargetFailure f = assertThrows(TargetFailure.class,
        () -> target.awaitReady(ctx, 1, c, Stage.ALL, new RecordingWatch(Duration.ofSeconds(10))));
    assertFalse(f.nonRetryable(), f.type() + ": " + f.getMessage());
  }
}
