package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import org.junit.jupiter.api.extension.RegisterExtension;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.client.DecisionRejectedException;
import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployRecords;
import ai.dynamo.deploy.client.DeployStarter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operating rollouts on Kubernetes through the workflows (Temporal's test service, the mock API server and the
 * simulated controller): history after three deploys and a rollback, {@code rollback --to-revision 1} restoring
 * revision 1's objects exactly, and the retry of an ended failed deploy leaving ready components untouched.
 */
@Timeout(240)
class K8sOperatingTest {
  // Ordered: the Temporal environment (and its workers) closes before the cluster they talk to.
  @RegisterExtension @Order(1) final MockCluster cluster = K8sGraphs.cluster();
  @RegisterExtension @Order(2) final DeployEnvironment env = K8sGraphs.deploys(cluster);
  private final SimulatedController controller = cluster.controller();
  private final WorkflowClient client = env.client();

  private static TargetSpec target() {
    return K8sGraphs.request(K8sGraphs.graph("g"), Map.of()).target();
  }

  private DeployResult deploy(Graph graph, String who) {
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployRequest request = base.withOptions(base.options().withStartedBy(who));
    return await(DeployStarter.startOrAttach(client, request, Set.of()));
  }

  private static String specDigest(Graph graph) {
    return K8sGraphs.request(graph, Map.of()).specDigest();
  }

  private DeployResult await(DeployStarter.Started started) {
    WorkflowStub stub = client.newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty());
    return DeployOutcomes.await(stub);
  }

  /**
   * Kind/name -> labels (but the revision), our annotations and spec of every object of graph g (annotations the
   * controllers write, like deployment.kubernetes.io/revision, are theirs).
   */
  private Map<String, String> objects() {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : new ServerSideApplier(cluster.client, NS, false, d -> {}).owned("g")) {
      Map<String, String> labels = new TreeMap<>(o.getMetadata().getLabels());
      labels.remove(ManifestSet.REVISION);
      Object spec = K8sPreflight.template(o) != null ? K8sPreflight.template(o)
          : ((io.fabric8.kubernetes.api.model.Service) o).getSpec();
      Map<String, String> annotations = new TreeMap<>(o.getMetadata().getAnnotations());
      annotations.keySet().removeIf(k -> !k.startsWith(ManifestSet.PREFIX));
      out.put(ManifestSet.key(o), labels + " " + annotations + " "
          + ManifestSet.SERIALIZATION.asJson(spec));
    }
    return out;
  }

  @Test
  void historyAfterThreeDeploysAndARollbackToRevisionOneWhichRestoresItsObjectsExactly() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.frontend(IMAGE));
    Graph v2 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.frontend(IMAGE + "-2"), K8sGraphs.batch(IMAGE));
    Graph v3 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE + "-3"), K8sGraphs.frontend(IMAGE + "-3"));
    assertEquals(Phase.READY, deploy(v1, "alice@ws").phase());
    Map<String, String> revisionOne = objects();
    assertEquals(Phase.READY, deploy(v2, "bob@ws").phase());
    assertNotNull(cluster.client.batch().v1().jobs().inNamespace(NS).withName("g-scoring").get());
    assertEquals(Phase.READY, deploy(v3, "carol@ws").phase());
    assertNotEquals(revisionOne, objects());

    // with the deploys' timeout: the startup probes allow what the applying deploy waits (kubernetes-render.md)
    DeployOptions sameTimeout = K8sGraphs.request(v1, Map.of()).options().withStartedBy("oncall@ops");
    DeployResult rolled = await(DeployRecords.rollbackTo(client, "g", target(), 1, sameTimeout, Set.of()));
    assertEquals(Phase.READY, rolled.phase(), rolled.message());
    assertEquals(4, rolled.revision(), "a rollback records a new revision");
    assertEquals(revisionOne, objects(), "revision 1's objects exactly (but for the revision label)");
    Deployment frontend = cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get();
    assertEquals("4", frontend.getMetadata().getLabels().get(ManifestSet.REVISION));
    assertEquals(IMAGE, frontend.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertNull(cluster.client.batch().v1().jobs().inNamespace(NS).withName("g-scoring").get(), "revision 2's Job is gone");

    TargetRecords records = DeployRecords.read(client, "g", target(), 0);
    List<RevisionEntry> history = records.history();
    assertEquals(List.of(1, 2, 3, 4), history.stream().map(RevisionEntry::revision).toList());
    assertEquals(List.of(RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED,
        RevisionStatus.READY), history.stream().map(RevisionEntry::status).toList());
    assertEquals(List.of("alice@ws", "bob@ws", "carol@ws", "oncall@ops"),
        history.stream().map(RevisionEntry::startedBy).toList());
    assertEquals(List.of("", "", "", "rolled back to 1"), history.stream().map(RevisionEntry::note).toList());
    assertEquals(specDigest(v1), history.get(0).specDigest());
    assertEquals(specDigest(v1), history.get(3).specDigest(), "revision 4 is revision 1's spec");
    assertEquals(specDigest(v3), history.get(2).specDigest());
    for (int i = 1; i < history.size(); i++) {
      assertTrue(history.get(i).epochMillis() >= history.get(i - 1).epochMillis() && history.get(i).epochMillis() > 0);
    }
    assertEquals(4, records.liveRevision());
    List<RevisionStore.Entry> stored = new RevisionStore(cluster.client, NS).entries("g");
    assertEquals(GraphDigest.sha256(v1), stored.get(3).irDigest(), "the IR digest of revision 4 is revision 1's");

    // No secret value (the mock's hf-token holds "secret-value") in any Temporal history of the runs nor in a record.
    var closed = client.getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
        io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace()).setMaximumPageSize(100).build());
    assertTrue(closed.getExecutionsCount() >= 6, "4 deploys and the record reads: " + closed.getExecutionsCount());
    for (var run : closed.getExecutionsList()) {
      // The proto text form prints payload bytes as (escaped) text, so JSON payloads are readable in it.
      String json = client.fetchHistory(run.getExecution().getWorkflowId(), run.getExecution().getRunId())
          .getHistory().toString();
      if (run.getExecution().getWorkflowId().startsWith("deploy/")) {
        assertTrue(json.contains("HF_TOKEN"), "the reference is there: " + run.getExecution().getWorkflowId());
      }
      assertFalse(json.contains("secret-value") || json.contains("c2VjcmV0LXZhbHVl"),
          "secret value in the history of " + run.getExecution().getWorkflowId());
    }
    for (int r = 1; r <= 4; r++) {
      var data = cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v" + r).get().getData();
      String spec = RevisionStore.gunzip(java.util.Base64.getDecoder().decode(data.get(RevisionStore.SPEC_KEY)));
      String manifests = RevisionStore.gunzip(java.util.Base64.getDecoder().decode(data.get(RevisionStore.MANIFESTS_KEY)));
      assertTrue(spec.contains("HF_TOKEN") && manifests.contains("hf-token"), spec);
      assertFalse((spec + manifests).contains("secret-value") || (spec + manifests).contains("c2VjcmV0LXZhbHVl"));
    }

    // The previous revision (no --to-revision) is now 3.
    assertEquals(3, DeployRecords.read(client, "g", target(), ai.dynamo.deploy.workflows.RecordsRequest.PREVIOUS)
        .specRevision());
  }

  @Test
  void rollbackToARevisionWhoseRecordHasNoSpecSaysSo() {
    assertEquals(Phase.READY, deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), "alice@ws").phase());
    assertEquals(Phase.READY, deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-2")), "bob@ws").phase());
    var record = cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get();
    Map<String, String> data = new TreeMap<>(record.getData());
    data.remove(RevisionStore.SPEC_KEY);
    cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").delete();
    cluster.client.resource(new SecretBuilder().withNewMetadata().withName("dynamo-deploy.g.v1").withNamespace(NS)
        .withLabels(record.getMetadata().getLabels()).endMetadata().withType(record.getType()).withData(data).build())
        .create();

    DecisionRejectedException e = assertThrows(DecisionRejectedException.class, () -> DeployRecords.rollbackTo(
        client, "g", target(), 1, DeployOptions.defaults("oncall@ops"), Set.of()));
    assertTrue(e.getMessage().contains("revision 1 of g has no stored spec"), e.getMessage());
    DecisionRejectedException missing = assertThrows(DecisionRejectedException.class, () -> DeployRecords.rollbackTo(
        client, "g", target(), 9, DeployOptions.defaults("oncall@ops"), Set.of()));
    assertTrue(missing.getMessage().contains("has no recorded revision 9"), missing.getMessage());
    assertEquals(2, DeployRecords.read(client, "g", target(), 0).history().size(), "history still reads it");
  }

  @Test
  void retryOfAnAbortedDeployLeavesReadyComponentsUntouchedAndReappliesTheFailedOne() throws Exception {
    // The engine (first wave) becomes ready; the front end (second wave) crash-loops until "fixed".
    controller.behave("g-frontend", SimulatedController.Behaviour.CRASH_LOOP);
    Graph graph = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.frontend(IMAGE));
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployRequest request = new DeployRequest(graph, base.specDigest(), base.target(),
        base.options().withStartedBy("alice@ws").pausingOnFailure(null));
    DeployStarter.Started started = DeployStarter.startOrAttach(client, request, Set.of());
    WorkflowStub first = client.newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    DeployProgress p;
    while ((p = first.query("progress", DeployProgress.class)).phase() != Phase.PAUSED) {
      assertTrue(System.nanoTime() < deadline, "never paused: " + p);
      Thread.sleep(200);
    }
    DeployDecisions.decide(client, started.workflowId(), "abort");
    assertEquals(Phase.FAILED, DeployOutcomes.await(first).phase());

    Deployment engine = cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get();
    String engineVersion = engine.getMetadata().getResourceVersion();
    String engineFields = ManifestSet.SERIALIZATION.asJson(engine.getMetadata().getManagedFields());
    int requestsBefore = cluster.api.requests().size();

    controller.behave("g-frontend", SimulatedController.Behaviour.READY); // the cause is fixed
    DeployDecisions.Outcome retry = DeployDecisions.retry(client, started.workflowId(), "oncall@ops", Set.of());
    assertTrue(retry.newRun(), retry.message());
    DeployResult result = await(new DeployStarter.Started(retry.workflowId(), retry.runId(), false));
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, result.revision());

    List<String> after = cluster.api.requests().subList(requestsBefore, cluster.api.requests().size());
    assertTrue(after.stream().noneMatch(r -> r.startsWith("PATCH") && r.contains("/deployments/g-vllm-worker")),
        "the ready engine is not applied again: " + after);
    assertTrue(after.stream().anyMatch(r -> r.startsWith("PATCH") && r.contains("/deployments/g-frontend")),
        "the failed front end is applied again: " + after);
    Deployment engineAfter = cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get();
    assertEquals(engineFields, ManifestSet.SERIALIZATION.asJson(engineAfter.getMetadata().getManagedFields()));
    assertEquals(engineVersion, engineAfter.getMetadata().getResourceVersion(), "the engine's object is unchanged");
    List<RevisionEntry> history = DeployRecords.read(client, "g", target(), 0).history();
    assertEquals(1, history.size());
    assertEquals("oncall@ops", history.get(0).startedBy());
  }

  /** Starts a deploy of engine + front end that pauses on failure, the front end crash-looping; waits for PAUSED. */
  private DeployStarter.Started pausedDeploy() throws InterruptedException {
    controller.behave("g-frontend", SimulatedController.Behaviour.CRASH_LOOP);
    Graph graph = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.frontend(IMAGE));
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployStarter.Started started = DeployStarter.startOrAttach(client, new DeployRequest(graph, base.specDigest(),
        base.target(), base.options().withStartedBy("alice@ws").pausingOnFailure(null)), Set.of());
    WorkflowStub stub = client.newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    DeployProgress p;
    while ((p = stub.query("progress", DeployProgress.class)).phase() != Phase.PAUSED) {
      assertTrue(System.nanoTime() < deadline, "never paused: " + p);
      Thread.sleep(200);
    }
    assertTrue(p.message().contains("CrashLoopBackOff"), p.message());
    return started;
  }

  @Test
  void aPausedDeployIsRetriedOnceTheCauseIsFixedWithoutTouchingTheReadyEngine() throws Exception {
    DeployStarter.Started started = pausedDeploy();
    String engineVersion =
        cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get().getMetadata().getResourceVersion();
    int requestsBefore = cluster.api.requests().size();
    controller.behave("g-frontend", SimulatedController.Behaviour.READY);
    awaitFrontendAvailable(); // the fix has reached the pods (else the retry's wait sees them crash once more)
    DeployDecisions.Outcome retry = DeployDecisions.retry(client, started.workflowId(), "oncall@ops", Set.of());
    assertFalse(retry.newRun(), "a decision on the paused run: " + retry.message());
    DeployResult result = await(started);
    assertEquals(Phase.READY, result.phase(), result.message());
    List<String> after = cluster.api.requests().subList(requestsBefore, cluster.api.requests().size());
    assertTrue(after.stream().noneMatch(r -> r.startsWith("PATCH") && r.contains("/deployments/g-vllm-worker")), after.toString());
    assertEquals(engineVersion,
        cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get().getMetadata().getResourceVersion());
    assertEquals(List.of(RevisionStatus.READY), DeployRecords.read(client, "g", target(), 0).history().stream()
        .map(RevisionEntry::status).toList());
  }

  @Test
  void aPausedDeployRolledBackIsListedAsRolledBack() throws Exception {
    DeployStarter.Started started = pausedDeploy();
    DeployDecisions.decide(client, started.workflowId(), "rollback");
    DeployResult result = await(started);
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertNull(cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get(),
        "a failed first install leaves nothing");
    List<RevisionEntry> history = DeployRecords.read(client, "g", target(), 0).history();
    assertEquals(1, history.size());
    assertEquals(RevisionStatus.ROLLED_BACK, history.get(0).status());
    assertEquals("alice@ws", history.get(0).startedBy());
    assertFalse(history.get(0).note().isEmpty(), "the reason is noted");
  }

  private void awaitFrontendAvailable() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Deployment d = cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get();
      Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
      if (available != null && available == 2) return;
      assertTrue(System.nanoTime() < deadline, "the simulated controller never made the front end available: " + d.getStatus());
      Thread.sleep(100);
    }
  }
}
