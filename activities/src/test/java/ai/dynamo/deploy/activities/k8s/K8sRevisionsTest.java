package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import org.junit.jupiter.api.extension.RegisterExtension;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RollbackRequest;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Revision records, pruning and rollback against the mock API server. */
@Timeout(60)
class K8sRevisionsTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS).withController(NS);
  private final SimulatedController controller = cluster.controller();
  private final K8sTarget target = new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC());

  private DeployContext deploy(Graph graph, int revision, boolean record) {
    DeployContext ctx = K8sGraphs.context(graph, Map.of());
    for (Component c : graph.components()) {
      for (Stage s : c.multiNode().isMultiNode() ? List.of(Stage.LEADER, Stage.WORKERS) : List.of(Stage.ALL)) {
        target.apply(ctx, revision, c, s);
      }
    }
    if (record) {
      target.recordRevision(ctx, new RevisionRecord(revision, "spec" + revision, "test@host", ctx.workflowId(),
          "run-" + revision, 1_700_000_000_000L + revision));
    }
    return ctx;
  }

  /** Kind/name -> spec (as JSON) of every object of the graph in the namespace. */
  private Map<String, String> snapshot(String graph) {
    Map<String, String> out = new TreeMap<>();
    for (HasMetadata o : new ServerSideApplier(cluster.client, NS, false, d -> {}).owned(graph)) {
      Object spec = K8sPreflight.template(o) != null ? K8sPreflight.template(o) : ((Object) o);
      String labels = String.valueOf(new TreeMap<>(o.getMetadata().getLabels()));
      out.put(ManifestSet.key(o), labels + " " + ManifestSet.SERIALIZATION.asJson(spec instanceof HasMetadata h
          ? specOf(h) : spec));
    }
    return out;
  }

  private static Object specOf(HasMetadata o) {
    return o instanceof io.fabric8.kubernetes.api.model.Service s ? s.getSpec() : o.getMetadata().getName();
  }

  @Test
  void aSuccessfulRevisionIsRecordedInTheClusterWithCompressedManifests() {
    Graph graph = K8sGraphs.sample(IMAGE);
    deploy(graph, 1, true);
    DeployContext ctx = K8sGraphs.context(graph, Map.of());
    assertEquals(1, target.currentRevision(ctx));

    Secret record = cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get();
    assertEquals(RevisionStore.TYPE, record.getType());
    assertEquals("1", record.getMetadata().getLabels().get(ManifestSet.REVISION));
    String json = new String(Base64.getDecoder().decode(record.getData().get(RevisionStore.RECORD_KEY)));
    assertTrue(json.contains("\"deployedBy\":\"test@host\"") && json.contains("\"irDigest\":\"")
        && json.contains("\"deployedAt\":\"2023-11-14T22:13:20.001Z\""), json);
    String manifests = RevisionStore.gunzip(Base64.getDecoder().decode(record.getData().get(RevisionStore.MANIFESTS_KEY)));
    ManifestSet stored = ManifestSet.fromRecord(manifests, NS, "g", 1);
    assertEquals(ManifestSet.of(graph, target.render(ctx), NS, 1, ctx.request().specDigest()).all().size(), stored.all().size());

    // Recording again is harmless (idempotent); the next revision goes beside it.
    deploy(graph, 1, true);
    deploy(graph, 2, true);
    assertEquals(2, target.currentRevision(ctx));
    assertEquals(2, cluster.client.secrets().inNamespace(NS).withLabel(RevisionStore.RECORD, "revision").list()
        .getItems().size());
  }

  @Test
  void rollbackRestoresThePreviousRevisionExactlyAndRemovesWhatTheFailedOneAdded() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE), K8sGraphs.engine(IMAGE), K8sGraphs.batch(IMAGE));
    deploy(v1, 1, true);
    Map<String, String> before = snapshot("g");

    // Revision 2 changes every image (the Job is replaced: its template is immutable) and adds a component.
    String v2Image = IMAGE.replace("0.4.0", "0.5.0");
    Graph v2 = K8sGraphs.graph("g", K8sGraphs.frontend(v2Image), K8sGraphs.engine(v2Image), K8sGraphs.batch(v2Image),
        K8sGraphs.group(v2Image));
    DeployContext ctx2 = deploy(v2, 2, false);
    assertNotEquals(before, snapshot("g"));
    assertNotNull(cluster.client.apps().statefulSets().inNamespace(NS).withName("g-sglang-group-leader").get());

    // Objects that are not ours: another graph's, and a hand-made one with our graph label but not our manager.
    deploy(K8sGraphs.graph("other", K8sGraphs.frontend(v2Image)), 1, true);
    cluster.client.resource(new ServiceBuilder().withNewMetadata().withName("hand-made").withNamespace(NS)
        .addToLabels(ManifestSet.GRAPH, "g").addToLabels(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).endMetadata()
        .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build())
        .fieldManager("kubectl").serverSideApply();

    RecordingWatch watch = new RecordingWatch();
    String outcome = target.rollback(ctx2, new RollbackRequest(2, 1, List.of("frontend"), "test"), watch);
    assertTrue(outcome.startsWith("restored revision 1"), outcome);
    assertEquals(before, snapshot("g"), "revision 1's objects are back exactly, revision 2's additions are gone");
    Deployment frontend = cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get();
    assertEquals(IMAGE, frontend.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals("1", frontend.getMetadata().getLabels().get(ManifestSet.REVISION));
    assertNotNull(cluster.client.apps().deployments().inNamespace(NS).withName("other-frontend").get(),
        "another graph is never touched");
    assertNotNull(cluster.client.services().inNamespace(NS).withName("hand-made").get(),
        "an object we did not write is never touched");

    // Idempotent: a second rollback (a retried activity) finds nothing left to remove.
    String again = target.rollback(ctx2, new RollbackRequest(2, 1, List.of("frontend"), "test"), new RecordingWatch());
    assertTrue(again.contains("0 removed"), again);
    assertEquals(before, snapshot("g"));
  }

  @Test
  void rollbackReturnsOnlyOnceTheRestoredServicesAreReadyAgain() throws Exception {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE));
    deploy(v1, 1, true);
    DeployContext ctx2 = deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-next:crashloop")), 2, false);
    controller.pause(true);
    RecordingWatch watch = new RecordingWatch();
    java.util.concurrent.CompletableFuture<String> rollback = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> target.rollback(ctx2, new RollbackRequest(2, 1, List.of("frontend"), "test"), watch));
    while (watch.reports().stream().noneMatch(r -> r.message().contains("deployment g-frontend"))) Thread.sleep(20);
    assertFalse(rollback.isDone(), "still waiting for the restored Deployment: " + watch.last());
    controller.pause(false);
    String outcome = rollback.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(outcome.contains("ready again"), outcome);
    assertEquals("restored revision ready", watch.last().message());
  }

  @Test
  void aFailedFirstInstallDeletesEverythingItCreated() {
    Graph graph = K8sGraphs.sample(IMAGE);
    DeployContext ctx = deploy(graph, 1, false);
    deploy(K8sGraphs.graph("other", K8sGraphs.frontend(IMAGE)), 1, true);
    assertFalse(snapshot("g").isEmpty());
    String outcome = target.rollback(ctx, new RollbackRequest(1, 0, List.of(), "test"), new RecordingWatch());
    assertTrue(outcome.contains("first install"), outcome);
    assertEquals(Map.of(), snapshot("g"));
    assertEquals(0, target.currentRevision(ctx));
    assertFalse(snapshot("other").isEmpty(), "another graph is never touched");
  }

  @Test
  void recordingPrunesComponentsTheGraphNoLongerHas() {
    deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE), K8sGraphs.engine(IMAGE)), 1, true);
    deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), 2, true);
    assertNull(cluster.client.apps().deployments().inNamespace(NS).withName("g-vllm-worker").get());
    assertNotNull(cluster.client.apps().deployments().inNamespace(NS).withName("g-frontend").get());
  }
}
