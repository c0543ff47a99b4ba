package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.MockCluster;
import org.junit.jupiter.api.extension.RegisterExtension;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployFailures;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class K8sPreflightTest {
  @RegisterExtension final MockCluster cluster = new MockCluster();
  private final K8sTarget target = new K8sTarget(KubeClients.of(cluster.client), Clock.systemUTC());

  /** The engine needs the Secret hf-token with key HF_TOKEN; 2 + 3x4 GPUs in all. */
  private static Graph graph() {
    return K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE), K8sGraphs.engine(IMAGE), K8sGraphs.group(IMAGE));
  }

  private TargetFailure refused(DeployContext ctx) {
    TargetFailure f = assertThrows(TargetFailure.class, () -> target.preflight(ctx));
    assertEquals(DeployFailures.PREFLIGHT_FAILED, f.type());
    assertTrue(f.nonRetryable());
    return f;
  }

  @Test
  void passesWhenEverythingIsThereAndWarnsAboutTooFewGpus() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN").gpuNode("gpu-1", 8);
    List<String> warnings = target.preflight(K8sGraphs.context(graph(), Map.of()));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("asks for 14 nvidia.com/gpu") && warnings.get(0).contains("have 8"),
        warnings.get(0));
    cluster.gpuNode("gpu-2", 8);
    assertEquals(List.of(), target.preflight(K8sGraphs.context(graph(), Map.of())));
  }

  @Test
  void missingNamespaceIsRefusedUnlessCreateNamespace() {
    cluster.gpuNode("gpu-1", 16);
    TargetFailure f = refused(K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), Map.of()));
    assertTrue(f.getMessage().contains("namespace llm does not exist"), f.getMessage());
    assertTrue(f.getMessage().contains("createNamespace=true"), f.getMessage());

    List<String> warnings = target.preflight(
        K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), Map.of(K8sSettings.CREATE_NAMESPACE, "true")));
    assertNotNull(cluster.client.namespaces().withName(NS).get());
    assertTrue(warnings.contains("created namespace llm"), warnings.toString());
  }

  @Test
  void deniedAccessIsRefusedNamingVerbAndResource() {
    cluster.namespace(NS).secret(NS, "hf-token", "HF_TOKEN");
    cluster.api.deny("patch", "statefulsets");
    cluster.api.deny("watch", "pods");
    TargetFailure f = refused(K8sGraphs.context(graph(), Map.of()));
    assertTrue(f.getMessage().contains("may not patch apps/statefulsets, watch pods"), f.getMessage());
  }

  @Test
  void missingSecretAndMissingKeyAreRefusedWithoutReadingValues() {
    cluster.namespace(NS);
    Component both = new Component("engine2", IMAGE, Component.DEFAULT_CMD, "dyn://g.b.c", "vllm", List.of(), 1,
        ai.dynamo.deploy.ir.Resources.NONE, List.of(EnvVar.secret("API_KEY", "API_KEY")), List.of("extra_env"),
        Map.of(), ai.dynamo.deploy.ir.MultiNode.SINGLE, null);
    Graph graph = K8sGraphs.graph("g", K8sGraphs.engine(IMAGE), both);
    cluster.secret(NS, "hf-token", "WRONG_KEY");
    TargetFailure f = refused(K8sGraphs.context(graph, Map.of()));
    assertTrue(f.getMessage().contains("Secret hf-token has no key HF_TOKEN"), f.getMessage());
    assertTrue(f.getMessage().contains("Secret api-key is missing"), f.getMessage());
    assertTrue(f.getMessage().contains("Secret extra-env is missing"), f.getMessage());
    assertFalse(f.getMessage().contains("c2VjcmV0"), "never a value");
  }

  @Test
  void anObjectOfTheSameNameThatIsNotOursIsRefused() {
    cluster.namespace(NS);
    cluster.client.resource(new ServiceBuilder().withNewMetadata().withName("g-frontend").withNamespace(NS)
        .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    TargetFailure f = refused(K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), Map.of()));
    assertTrue(f.getMessage().contains("Service g-frontend already exists and is not managed by dynamo-deploy"),
        f.getMessage());
  }

  @Test
  void invalidSettingsAreReportedByValidate() {
    List<String> problems = target.validate(K8sGraphs.context(graph(),
        Map.of(K8sSettings.FORCE_CONFLICTS, "yes", K8sSettings.UNSCHEDULABLE_GRACE_SECONDS, "5m")));
    assertEquals(2, problems.size(), problems.toString());
  }
}
