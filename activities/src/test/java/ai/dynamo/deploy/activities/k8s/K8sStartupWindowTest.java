package ai.dynamo.deploy.activities.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.TargetSettings;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The deploy's readiness timeout reaches the rendered startup probes, so the kubelet never gives up first. */
class K8sStartupWindowTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(K8sGraphs.NS);

  private Deployment frontend(Duration timeout) {
    Graph graph = K8sGraphs.graph("g", K8sGraphs.frontend("img:1"));
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployRequest request = DeployRequest.of(graph, base.target(),
        new DeployOptions(timeout, Duration.ofMinutes(2), "test@host"));
    RenderedFile file = K8sGraphs.target(cluster.client).render(new DeployContext(request, "deploy/x", "run-1"))
        .files().get(0);
    String[] documents = file.content().split("(?m)^---$"); // Service, then Deployment
    return Serialization.unmarshal(documents[documents.length - 1], Deployment.class);
  }

  @Test
  void aThreeHourTimeoutGivesAThreeHourStartupWindow() {
    Deployment d = frontend(Duration.ofHours(3));
    Probe startup = d.getSpec().getTemplate().getSpec().getContainers().get(0).getStartupProbe();
    assertEquals(3 * 3600, startup.getFailureThreshold() * startup.getPeriodSeconds());
    assertEquals(3 * 3600 + 600, d.getSpec().getProgressDeadlineSeconds());
  }

  @Test
  void theDefaultTimeoutIsTheRenderersDefault() {
    assertEquals(DeployOptions.DEFAULT_READINESS_TIMEOUT.toSeconds(), TargetSettings.DEFAULT_READINESS_TIMEOUT_SECONDS);
    Probe startup = frontend(DeployOptions.DEFAULT_READINESS_TIMEOUT)
        .getSpec().getTemplate().getSpec().getContainers().get(0).getStartupProbe();
    assertEquals(TargetSettings.DEFAULT_READINESS_TIMEOUT_SECONDS,
        (long) startup.getFailureThreshold() * startup.getPeriodSeconds());
    assertNotEquals(frontend(Duration.ofMinutes(2)), frontend(DeployOptions.DEFAULT_READINESS_TIMEOUT));
  }
}
