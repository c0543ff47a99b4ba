package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.testing.k8s.MockCluster;
import org.junit.jupiter.api.extension.RegisterExtension;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target finds the cluster through a kubeconfig file (here pointing at the mock API server's real port). */
class KubeClientsTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(K8sGraphs.NS);
  private final String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);

  private static final String RETRY_LIMIT = "kubernetes.request.retry.backoffLimit";

  @AfterEach
  void restore() {
    System.clearProperty(RETRY_LIMIT);
    if (previous == null) System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    else System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
  }

  private void kubeconfig(Path dir) throws Exception {
    String url = cluster.client.getConfiguration().getMasterUrl();
    Path file = dir.resolve("config");
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: \"" + url + "\"}",
        "- name: elsewhere",
        "  cluster: {server: \"http://127.0.0.1:1\"}",
        "users:",
        "- name: tester",
        "  user: {token: not-a-real-token}",
        "contexts:",
        "- name: mock-ctx",
        "  context: {cluster: mock, user: tester}",
        "- name: other-ctx",
        "  context: {cluster: elsewhere, user: tester}",
        "current-context: other-ctx",
        ""));
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file.toString());
  }

  @Test
  void theContextSettingPicksTheClusterFromTheKubeconfig(@TempDir Path dir) throws Exception {
    kubeconfig(dir);
    try (K8sTarget target = new K8sTarget(KubeClients.fromKubeconfig(), Clock.systemUTC())) {
      DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE)),
          Map.of("context", "mock-ctx"));
      assertEquals(0, target.currentRevision(ctx), "reached the mock API server through the kubeconfig");
    }
    assertTrue(cluster.api.requests().stream().anyMatch(r -> r.contains("/secrets")), cluster.api.requests().toString());
  }

  @Test
  void theCurrentContextIsUsedWithoutTheSettingAndAnUnreachableClusterIsTransient(@TempDir Path dir)
      throws Exception {
    kubeconfig(dir);
    // fabric8 retries a refused connection itself, with backoff; without its retries the test sees the first answer
    System.setProperty(RETRY_LIMIT, "0");
    try (K8sTarget target = new K8sTarget(KubeClients.fromKubeconfig(), Clock.systemUTC())) {
      DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE)), Map.of());
      TargetFailure f = assertThrows(TargetFailure.class, () -> target.currentRevision(ctx));
      assertFalse(f.nonRetryable(), "a cluster that does not answer may come back: " + f.getMessage());
      assertTrue(f.getMessage().contains("cannot reach the Kubernetes API"), f.getMessage());
    }
  }

  @Test
  void noConfigurationAnywhereIsFinalAndSaysWhatToDo(@TempDir Path dir) {
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, dir.resolve("absent").toString());
    try (K8sTarget target = new K8sTarget(KubeClients.fromKubeconfig(), Clock.systemUTC())) {
      DeployContext ctx = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE)), Map.of());
      TargetFailure f = assertThrows(TargetFailure.class, () -> target.preflight(ctx));
      assertTrue(f.nonRetryable(), f.type());
      assertTrue(f.getMessage().startsWith(KubeConfigs.NONE + " by the worker (user "), f.getMessage());
      assertTrue(f.getMessage().contains("looked at " + dir.resolve("absent") + " (KUBECONFIG, else ~/.kube/config)"),
          "names the file the worker looked at: " + f.getMessage());
      assertTrue(f.getMessage().contains("the worker's own kubeconfig must have them"), f.getMessage());
    }
  }

  @Test
  void theClisOwnReadsSayItIsThisCommandThatFoundNoConfiguration(@TempDir Path dir) {
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, dir.resolve("absent").toString());
    try (KubeClients clients = KubeClients.fromFile(null, java.time.Duration.ofSeconds(5))) {
      TargetFailure f = assertThrows(TargetFailure.class, () -> clients.client(null));
      assertTrue(f.getMessage().startsWith(KubeConfigs.NONE + " for this command (user "), f.getMessage());
      assertTrue(f.getMessage().endsWith("set KUBECONFIG or pass --kubeconfig"), f.getMessage());
      assertFalse(f.getMessage().contains("worker"), f.getMessage());
    }
  }

  @Test
  void aNamedContextMustExistAndPointAtTheServerTheDeployWasMadeFor(@TempDir Path dir) throws Exception {
    kubeconfig(dir);
    try (K8sTarget target = new K8sTarget(KubeClients.fromKubeconfig(), Clock.systemUTC())) {
      DeployContext missing = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE)),
          Map.of("context", "prod"));
      TargetFailure noContext = assertThrows(TargetFailure.class, () -> target.currentRevision(missing));
      assertTrue(noContext.nonRetryable());
      assertTrue(noContext.getMessage().contains("context \"prod\" is not in kubeconfig " + dir.resolve("config")),
          noContext.getMessage());
      DeployContext elsewhere = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(K8sGraphs.IMAGE)),
          Map.of("context", "mock-ctx", "server", "https://10.1.2.3:6443"));
      TargetFailure wrongServer = assertThrows(TargetFailure.class, () -> target.currentRevision(elsewhere));
      assertTrue(wrongServer.getMessage().contains("but the deploy is for https://10.1.2.3:6443"),
          wrongServer.getMessage());
    }
    String url = cluster.client.getConfiguration().getMasterUrl();
    assertTrue(KubeConfigs.sameServer(url, url.endsWith("/") ? url.substring(0, url.length() - 1) : url + "/"));
    assertTrue(KubeConfigs.sameServer("https://api.example", "https://API.example:443/"));
    assertFalse(KubeConfigs.sameServer("https://api.example:6443", "https://api.example"));
  }

  @Test
  void clientsHaveBoundedTimeouts(@TempDir Path dir) throws Exception {
    kubeconfig(dir);
    Config config = KubeConfigs.load("mock-ctx", dir.resolve("config"), java.time.Duration.ofSeconds(7));
    assertEquals(10_000, config.getConnectionTimeout());
    assertEquals(7_000, config.getRequestTimeout());
  }
}
