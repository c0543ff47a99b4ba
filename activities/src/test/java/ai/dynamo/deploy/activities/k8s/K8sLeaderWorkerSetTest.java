package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets;
import ai.dynamo.deploy.testing.k8s.SimulatedLeaderWorkerSets.Behaviour;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.ReadyState;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code multinode=lws} against the mock API server with LeaderWorkerSet as a CRD, {@link SimulatedLeaderWorkerSets}
 * playing LWS (controller, webhook, group restarts) and {@link SimulatedController} the rest. Only proven on the
 * mock: no real LWS controller has run these objects.
 */
@Timeout(90)
class K8sLeaderWorkerSetTest {
  private static final Map<String, String> LWS = Map.of("multinode", "lws");
  private static final String NAME = "g-sglang-group-lws";

  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS).gpuNode("gpu-1", 16).withController(NS);
  // Started by each test, after it chose whether the cluster serves the API (installCrd) and how the groups behave.
  private final SimulatedLeaderWorkerSets lws = new SimulatedLeaderWorkerSets(cluster.client, NS);
  private final K8sTarget target = K8sGraphs.target(cluster.client);

  /** Before the cluster closes (the extension's turn comes after {@code @AfterEach}). */
  @AfterEach
  void tearDown() {
    target.close();
    lws.close();
  }

  private ReadyState bringUp(DeployContext ctx, Component c, Stage stage) {
    target.apply(ctx, 1, c, stage);
    return target.awaitReady(ctx, 1, c, stage, new RecordingWatch());
  }

  @Test
  void aGroupComesUpLeaderFirstThenItsWorkersAsOneLeaderWorkerSet() {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    lws.start();
    Component c = K8sGraphs.group(IMAGE); // 3 nodes
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), LWS);
    assertEquals(List.of(), target.preflight(ctx));

    ReadyState leaders = bringUp(ctx, c, Stage.LEADER);
    assertEquals(1, leaders.ready(), leaders.message());
    assertTrue(leaders.message().contains("leaders ready"), leaders.message());
    GenericKubernetesResource applied = cluster.client.genericKubernetesResources(LeaderWorkerSetApi.CONTEXT)
        .inNamespace(NS).withName(NAME).get();
    assertNotNull(applied);
    assertEquals("1", applied.getMetadata().getLabels().get(ManifestSet.REVISION));
    assertNotNull(LeaderWorkerSetApi.templateHash(applied), "apply stamps the template hash");
    assertTrue(cluster.client.apps().statefulSets().inNamespace(NS).list().getItems().stream()
        .allMatch(s -> !ServerSideApplier.owned(s, "g")), "no StatefulSet is ours: LWS runs them");

    assertEquals("nothing to apply for workers (started with the leaders)", target.apply(ctx, 1, c, Stage.WORKERS)
        .message());
    ReadyState workers = target.awaitReady(ctx, 1, c, Stage.WORKERS, new RecordingWatch());
    assertEquals(2, workers.ready(), workers.message());
    assertEquals(2, workers.desired());

    List<String> timeline = lws.timeline();
    int leaderReady = timeline.indexOf("leader-ready " + NAME + "-0");
    int workersCreated = timeline.indexOf("workers-created " + NAME + "-0");
    assertTrue(leaderReady >= 0 && workersCreated > leaderReady, "startupPolicy LeaderReady: " + timeline);

    Pod worker = cluster.client.pods().inNamespace(NS).withName(NAME + "-0-2").get();
    List<String> args = worker.getSpec().getContainers().get(0).getArgs();
    assertEquals(List.of("--num-nodes", "$(LWS_GROUP_SIZE)", "--node-rank", "$(LWS_WORKER_INDEX)", "--leader-addr",
        "$(LWS_LEADER_ADDRESS):29500"), args.subList(args.size() - 6, args.size()));
    Map<String, String> env = new java.util.HashMap<>();
    for (EnvVar e : worker.getSpec().getContainers().get(0).getEnv()) env.put(e.getName(), e.getValue());
    assertEquals(NAME + "-0." + NAME + "." + NS, env.get("LWS_LEADER_ADDRESS"));
    assertEquals("2", env.get("LWS_WORKER_INDEX"));
    assertEquals("3", env.get("LWS_GROUP_SIZE"));
  }

  @Test
  void aCrashLoopingWorkerRestartsItsGroupAndFailsTheWaitFast() {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    lws.behave(NAME, Behaviour.WORKER_CRASH).start();
    Component c = K8sGraphs.group(IMAGE);
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), LWS);
    assertEquals(1, bringUp(ctx, c, Stage.LEADER).ready(), "the leader alone is fine");
    RecordingWatch watch = new RecordingWatch();
    TargetFailure f = assertThrows(TargetFailure.class, () -> target.awaitReady(ctx, 1, c, Stage.WORKERS, watch));
    assertEquals(DeployFailures.COMPONENT_FAILED, f.type());
    assertTrue(f.getMessage().contains("leaderworkerset " + NAME + ": group 0 was recreated "
        + WorkloadReadiness.MAX_GROUP_RESTARTS + " times"), f.getMessage());
    assertTrue(f.getMessage().contains("container sglang-group exited with code 1 (Error)"), f.getMessage());
    assertTrue(lws.recreations(NAME + "-0") >= WorkloadReadiness.MAX_GROUP_RESTARTS, lws.timeline().toString());
    assertTrue(watch.reports().stream().noneMatch(r -> r.message().contains("CrashLoopBackOff")),
        "with group restarts no pod ever shows CrashLoopBackOff: the restarts themselves are the signal");
  }

  @Test
  void aWorkerThatCannotPullItsImageFailsByThePodRules() {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    lws.behave(NAME, Behaviour.WORKER_IMAGE_PULL_BACKOFF).start();
    Component c = K8sGraphs.group(IMAGE);
    DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", c), LWS);
    bringUp(ctx, c, Stage.LEADER);
    TargetFailure f = assertThrows(TargetFailure.class,
        () -> target.awaitReady(ctx, 1, c, Stage.WORKERS, new RecordingWatch()));
    assertTrue(f.getMessage().contains("pod " + NAME + "-0-1: ImagePullBackOff"), f.getMessage());
  }

  @Test
  void lwsWithoutTheApiIsAClearPreflightFailure() {
    Component c = K8sGraphs.group(IMAGE);
    TargetFailure f = assertThrows(TargetFailure.class,
        () -> target.preflight(K8sGraphs.context(K8sGraphs.graph("g", c), LWS)));
    assertEquals(DeployFailures.PREFLIGHT_FAILED, f.type());
    assertTrue(f.getMessage().contains("multinode=lws needs the LeaderWorkerSet API (leaderworkerset.x-k8s.io/v1), "
        + "which this cluster does not serve"), f.getMessage());
    assertTrue(f.getMessage().contains("--multinode statefulset"), f.getMessage());
    // a graph without multi-node services does not need it
    assertEquals(List.of(), target.preflight(K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), LWS)));
  }

  @Test
  void autoPicksLwsWhenServedAndStatefulSetsOtherwiseAndSaysSo() {
    Component c = K8sGraphs.group(IMAGE);
    DeployContext without = K8sGraphs.context(K8sGraphs.graph("g", c), Map.of("multinode", "auto"));
    assertEquals(List.of("multinode=auto: the cluster does not serve LeaderWorkerSet, so multi-node groups run as "
        + "StatefulSets"), target.preflight(without));
    target.apply(without, 1, c, Stage.LEADER);
    assertNotNull(cluster.client.apps().statefulSets().inNamespace(NS).withName("g-sglang-group-leader").get());

    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    DeployContext with = new DeployContext(K8sGraphs.request(K8sGraphs.graph("g", c), Map.of("multinode", "auto")),
        "deploy/k8s/mock/" + NS + "/g", "run-2");
    assertEquals(List.of("multinode=auto: the cluster serves LeaderWorkerSet, so multi-node groups run as "
        + "LeaderWorkerSets"), target.preflight(with));
    List<HasMetadata> objects = ManifestSet.of(with.graph(), target.render(with), NS, 2, "d").all();
    assertTrue(objects.stream().anyMatch(LeaderWorkerSetApi::is), objects.toString());
    // the run that decided statefulset keeps that decision
    assertTrue(ManifestSet.of(without.graph(), target.render(without), NS, 1, "d").all().stream()
        .noneMatch(LeaderWorkerSetApi::is));
  }

  @Test
  void aNewTemplateRecreatesTheGroupsAndTheWaitJudgesOnlyTheNewPods() {
    SimulatedLeaderWorkerSets.installCrd(cluster.client);
    lws.start();
    Component c = K8sGraphs.group(IMAGE);
    DeployContext v1 = K8sGraphs.context(K8sGraphs.graph("g", c), LWS);
    bringUp(v1, c, Stage.LEADER);
    target.awaitReady(v1, 1, c, Stage.WORKERS, new RecordingWatch());
    String before = cluster.client.pods().inNamespace(NS).withName(NAME + "-0").get().getMetadata().getUid();

    Component next = K8sGraphs.group(IMAGE + "-next");
    DeployContext v2 = K8sGraphs.context(K8sGraphs.graph("g", next), LWS);
    target.apply(v2, 2, next, Stage.LEADER);
    assertEquals(1, target.awaitReady(v2, 2, next, Stage.LEADER, new RecordingWatch()).ready());
    assertEquals(2, target.awaitReady(v2, 2, next, Stage.WORKERS, new RecordingWatch()).ready());
    Pod leader = cluster.client.pods().inNamespace(NS).withName(NAME + "-0").get();
    assertNotEquals(before, leader.getMetadata().getUid(), "the group was recreated with the new template");
    assertEquals(IMAGE + "-next", leader.getSpec().getContainers().get(0).getImage());
  }
}
