package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController;
import org.junit.jupiter.api.extension.RegisterExtension;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.Stage;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** History, recorded specs and isCurrent of the Kubernetes target, against the mock API server. */
@Timeout(60)
class K8sRecordsTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS).withController(NS);
  private final SimulatedController controller = cluster.controller();
  private final K8sTarget target = new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC());

  private static DeployContext context(Graph graph, String who, int restores) {
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployOptions options = base.options().withStartedBy(who);
    if (restores > 0) options = options.restoring(restores);
    return new DeployContext(base.withOptions(options),
        "deploy/k8s/mock/" + NS + "/" + graph.name(), "run-" + who);
  }

  private void applyAll(DeployContext ctx, int revision) {
    for (Component c : ctx.graph().components()) {
      for (Stage s : c.multiNode().isMultiNode() ? List.of(Stage.LEADER, Stage.WORKERS) : List.of(Stage.ALL)) {
        target.apply(ctx, revision, c, s);
      }
    }
  }

  private void deploy(DeployContext ctx, int revision) {
    applyAll(ctx, revision);
    target.recordRevision(ctx, new RevisionRecord(revision, ctx.request().specDigest(),
        ctx.request().options().startedBy(), ctx.workflowId(), ctx.runId(), 1_700_000_000_000L + revision));
  }

  /** What readRecords hands the target: a graph with its name only, and the CLI's settings. */
  private static DeployContext named(String graph) {
    Graph g = new Graph("1.0", graph, List.of());
    DeployRequest base = K8sGraphs.request(g, Map.of());
    return new DeployContext(new DeployRequest(g, "", base.target(), DeployOptions.defaults("")), "wf", "");
  }

  @Test
  void historyListsEveryRecordOldestFirstWithTheNewestLive() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE));
    Graph v2 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-2"));
    deploy(context(v1, "alice@ws", 0), 1);
    deploy(context(v2, "bob@ws", 0), 2);
    deploy(context(v1, "oncall@ops", 1), 3);

    List<RevisionEntry> history = target.history(named("g"));
    assertEquals(List.of(1, 2, 3), history.stream().map(RevisionEntry::revision).toList());
    assertEquals(List.of(RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED, RevisionStatus.READY),
        history.stream().map(RevisionEntry::status).toList());
    assertEquals(List.of("alice@ws", "bob@ws", "oncall@ops"), history.stream().map(RevisionEntry::startedBy).toList());
    assertEquals(List.of("", "", "rolled back to 1"), history.stream().map(RevisionEntry::note).toList());
    assertEquals(List.of(1_700_000_000_001L, 1_700_000_000_002L, 1_700_000_000_003L),
        history.stream().map(RevisionEntry::epochMillis).toList());
    assertEquals(K8sGraphs.request(v1, Map.of()).specDigest(), history.get(0).specDigest());
    assertEquals(K8sGraphs.request(v2, Map.of()).specDigest(), history.get(1).specDigest());
    assertEquals(history.get(0).specDigest(), history.get(2).specDigest());
    assertEquals("run-bob@ws", history.get(1).runId());
    List<RevisionStore.Entry> records = new RevisionStore(cluster.client, NS).entries("g");
    assertEquals(GraphDigest.sha256(v1), records.get(2).irDigest());

    assertEquals(List.of(), target.history(named("other")), "a graph without records has an empty history");
  }

  @Test
  void aRolledBackRevisionIsListedUntilTheNextSuccessfulDeployReusesItsNumber() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE));
    deploy(context(v1, "alice@ws", 0), 1);
    DeployContext failed = context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-2:crashloop")), "bob@ws", 0);
    applyAll(failed, 2);
    target.rollback(failed, new ai.dynamo.deploy.workflows.RollbackRequest(2, 1, List.of("frontend"),
        "frontend: CrashLoopBackOff"), new RecordingWatch());

    List<RevisionEntry> history = target.history(named("g"));
    assertEquals(List.of(1, 2), history.stream().map(RevisionEntry::revision).toList());
    assertEquals(List.of(RevisionStatus.READY, RevisionStatus.ROLLED_BACK),
        history.stream().map(RevisionEntry::status).toList());
    assertEquals("bob@ws", history.get(1).startedBy());
    assertEquals("frontend: CrashLoopBackOff", history.get(1).note());
    assertEquals(1, target.currentRevision(failed), "the live revision is still 1");
    assertEquals(Optional.empty(), target.revisionSpec(named("g"), 2), "a rolled-back revision cannot be restored");

    // A retried rollback does not duplicate it; the next successful deploy takes number 2.
    target.rollback(failed, new ai.dynamo.deploy.workflows.RollbackRequest(2, 1, List.of("frontend"), "again"),
        new RecordingWatch());
    assertEquals(2, target.history(named("g")).size());
    deploy(context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-2")), "carol@ws", 0), 2);
    history = target.history(named("g"));
    assertEquals(List.of(RevisionStatus.SUPERSEDED, RevisionStatus.READY),
        history.stream().map(RevisionEntry::status).toList());
    assertEquals("carol@ws", history.get(1).startedBy());
    assertTrue(target.revisionSpec(named("g"), 2).isPresent());
  }

  @Test
  void theRecordKeepsTheGraphWithSecretReferencesAndTheSettings() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), K8sGraphs.frontend(IMAGE));
    DeployContext ctx = context(v1, "alice@ws", 0);
    deploy(ctx, 1);

    Optional<RevisionSpec> spec = target.revisionSpec(named("g"), 1);
    assertTrue(spec.isPresent());
    assertEquals(v1, spec.get().graph());
    assertEquals(ctx.request().specDigest(), spec.get().specDigest());
    assertEquals(Map.of("namespace", NS), spec.get().settings());
    EnvVar token = spec.get().graph().components().get(0).environment().get(0);
    assertEquals("HF_TOKEN", token.secretRef(), "a reference, not a value");
    assertEquals(Optional.empty(), target.revisionSpec(named("g"), 7), "no such revision");
  }

  @Test
  void anOldRecordWithoutASpecIsListedButCannotBeDeployedAgain() {
    deploy(context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), "alice@ws", 0), 1);
    // A record as written before the spec was kept: same Secret without spec.json.gz.
    Secret record = cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get();
    cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").delete();
    Map<String, String> data = new java.util.TreeMap<>(record.getData());
    data.remove(RevisionStore.SPEC_KEY);
    cluster.client.resource(new SecretBuilder().withNewMetadata().withName("dynamo-deploy.g.v1").withNamespace(NS)
        .withLabels(record.getMetadata().getLabels()).endMetadata().withType(record.getType()).withData(data).build())
        .create();

    List<RevisionEntry> history = target.history(named("g"));
    assertEquals(1, history.size());
    assertEquals("alice@ws", history.get(0).startedBy());
    TargetFailure failure = assertThrows(TargetFailure.class, () -> target.revisionSpec(named("g"), 1));
    assertEquals(DeployFailures.NOT_SUPPORTED, failure.type());
    assertTrue(failure.nonRetryable());
    assertTrue(failure.getMessage().startsWith("revision 1 of g has no stored spec"), failure.getMessage());
  }

  @Test
  void aComponentIsCurrentOnlyWhenItsLiveObjectsCarryThisRevisionOfThisSpec() {
    Graph v1 = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE), K8sGraphs.group(IMAGE), K8sGraphs.batch(IMAGE));
    DeployContext ctx = context(v1, "alice@ws", 0);
    Component frontend = v1.components().get(0);
    Component group = v1.components().get(1);
    Component batch = v1.components().get(2);
    assertFalse(target.isCurrent(ctx, 1, frontend, Stage.ALL), "nothing applied yet");

    target.apply(ctx, 1, frontend, Stage.ALL);
    target.apply(ctx, 1, group, Stage.LEADER);
    target.apply(ctx, 1, batch, Stage.ALL);
    assertTrue(target.isCurrent(ctx, 1, frontend, Stage.ALL));
    assertTrue(target.isCurrent(ctx, 1, group, Stage.LEADER));
    assertFalse(target.isCurrent(ctx, 1, group, Stage.WORKERS), "the workers are not applied yet");
    assertTrue(target.isCurrent(ctx, 1, batch, Stage.ALL));
    assertFalse(target.isCurrent(ctx, 1, batch, Stage.WORKERS), "a stage that applies nothing is never skipped");
    assertFalse(target.isCurrent(ctx, 2, frontend, Stage.ALL), "another revision");

    // The same revision number for another spec (a failed revision's number is reused): not current.
    Graph other = K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE + "-2"), K8sGraphs.group(IMAGE), K8sGraphs.batch(IMAGE));
    assertFalse(target.isCurrent(context(other, "bob@ws", 0), 1, other.components().get(0), Stage.ALL));

    // One object of the component gone (its Service): not current.
    cluster.client.services().inNamespace(NS).withName("g-frontend").delete();
    assertFalse(target.isCurrent(ctx, 1, frontend, Stage.ALL));

    // The spec digest sits on object metadata, never on the pod template (a new revision must not restart pods).
    var d = cluster.client.apps().statefulSets().inNamespace(NS).withName("g-sglang-group-leader").get();
    assertEquals(ctx.request().specDigest(), d.getMetadata().getAnnotations().get(ManifestSet.SPEC_DIGEST));
    Map<String, String> podAnnotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    assertTrue(podAnnotations == null || !podAnnotations.containsKey(ManifestSet.SPEC_DIGEST));
  }

  @Test
  void theGraphLabelOfANameMatchesTheRenderersEvenWhenCut() {
    String longName = "a-very-long-graph-name-that-does-not-fit-into-one-kubernetes-label-value";
    for (String name : List.of("g", "My_Graph", longName)) {
      Graph graph = K8sGraphs.graph(name, K8sGraphs.frontend(IMAGE));
      DeployContext ctx = K8sGraphs.context(graph, Map.of());
      ManifestSet set = ManifestSet.of(graph, target.render(ctx), NS, 1, "d");
      assertEquals(set.graphLabel(), K8sTarget.graphLabel(name), name);
    }
  }

  @Test
  void theRecordHoldsNoSecretValue() {
    cluster.secret(NS, "hf-token", "HF_TOKEN");
    deploy(context(K8sGraphs.graph("g", K8sGraphs.engine(IMAGE)), "alice@ws", 0), 1);
    Secret record = cluster.client.secrets().inNamespace(NS).withName("dynamo-deploy.g.v1").get();
    String spec = RevisionStore.gunzip(Base64.getDecoder().decode(record.getData().get(RevisionStore.SPEC_KEY)));
    assertTrue(spec.contains("HF_TOKEN"), spec);
    assertFalse(spec.contains("c2VjcmV0LXZhbHVl") || spec.contains("secret-value"), spec);
  }
}
