package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.MockCluster;
import org.junit.jupiter.api.extension.RegisterExtension;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server-side apply through {@link ServerSideApplier} against the mock API server's (test-only) apply support. */
class ServerSideApplyTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace("llm");

  private static Deployment deployment(int replicas, String image) {
    return new DeploymentBuilder()
        .withNewMetadata().withName("g-web").withNamespace("llm")
        .addToLabels(ManifestSet.GRAPH, "g").addToLabels(ManifestSet.MANAGED_BY, ManifestSet.MANAGER).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().endTemplate()
        .endSpec().build();
  }

  private ServerSideApplier applier(boolean force) {
    return new ServerSideApplier(cluster.client, "llm", force, d -> {});
  }

  @Test
  void applyCreatesWhenAbsentAndRecordsOurFieldManager() {
    applier(false).applyOne(deployment(2, "img:1"));
    Deployment stored = cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get();
    assertEquals(2, stored.getSpec().getReplicas());
    assertEquals(List.of(ServerSideApplier.FIELD_MANAGER),
        stored.getMetadata().getManagedFields().stream().map(m -> m.getManager()).toList());
    assertTrue(cluster.api.requests().stream().anyMatch(r -> r.startsWith("PATCH") && r.contains("fieldManager=dynamo-deploy")),
        "a PATCH with our field manager: " + cluster.api.requests());
    assertTrue(cluster.api.requests().stream().noneMatch(r -> r.startsWith("POST /apis/apps")),
        "the target itself never POSTs: it applies");
  }

  @Test
  void applyMergesWhenPresentAndBumpsGeneration() {
    applier(false).applyOne(deployment(2, "img:1"));
    Long before = cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get().getMetadata().getGeneration();
    applier(false).applyOne(deployment(3, "img:2"));
    Deployment stored = cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get();
    assertEquals(3, stored.getSpec().getReplicas());
    assertEquals("img:2", stored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertTrue(stored.getMetadata().getGeneration() > before, "a spec change bumps the generation");
  }

  @Test
  void conflictWithAnotherManagerNamesFieldAndManagerAndForceTakesOver() {
    applier(false).applyOne(deployment(2, "img:1"));
    // Someone scales by hand with their own field manager, taking over .spec.replicas.
    cluster.client.resource(deployment(5, "img:1")).inNamespace("llm").fieldManager("kubectl-scale").forceConflicts()
        .serverSideApply();

    TargetFailure f = assertThrows(TargetFailure.class, () -> applier(false).applyOne(deployment(2, "img:1")));
    assertEquals(DeployFailures.APPLY_CONFLICT, f.type());
    assertTrue(f.nonRetryable());
    assertTrue(f.getMessage().contains(".spec.replicas"), f.getMessage());
    assertTrue(f.getMessage().contains("kubectl-scale"), f.getMessage());
    assertEquals(5, cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get().getSpec().getReplicas(),
        "nothing written on conflict");

    applier(true).applyOne(deployment(2, "img:1"));
    assertEquals(2, cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get().getSpec().getReplicas());
  }

  @Test
  void serverErrorsAreTransientAndConflictsWithoutFieldCausesToo() {
    cluster.api.failNext("PATCH", "/deployments/g-web", 500, 1);
    TargetFailure f = assertThrows(TargetFailure.class, () -> applier(false).applyOne(deployment(2, "img:1")));
    assertFalse(f.nonRetryable(), f.type());
    cluster.api.failNext("PATCH", "/deployments/g-web", 409, 1);
    f = assertThrows(TargetFailure.class, () -> applier(false).applyOne(deployment(2, "img:1")));
    assertFalse(f.nonRetryable(), "a 409 without field-manager causes is an optimistic-lock conflict: retried");
    applier(false).applyOne(deployment(2, "img:1"));
    assertNotNull(cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get());
  }

  @Test
  void ownershipNeedsOurLabelsAndOurManager() {
    applier(false).applyOne(deployment(2, "img:1"));
    HasMetadata ours = cluster.client.apps().deployments().inNamespace("llm").withName("g-web").get();
    assertTrue(ServerSideApplier.owned(ours, "g"));
    assertFalse(ServerSideApplier.owned(ours, "other-graph"));
    Deployment foreign = deployment(1, "img:1");
    foreign.getMetadata().setName("not-ours");
    cluster.client.resource(foreign).inNamespace("llm").fieldManager("helm").serverSideApply();
    assertFalse(ServerSideApplier.owned(
        cluster.client.apps().deployments().inNamespace("llm").withName("not-ours").get(), "g"),
        "labelled like ours but written by another manager");
  }
}
