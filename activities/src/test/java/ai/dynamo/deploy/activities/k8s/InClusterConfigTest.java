package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.testing.k8s.ApplyingCrudDispatcher;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import io.fabric8.kubernetes.client.Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker in a pod: no kubeconfig, {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} set and a service-account token
 * mounted. fabric8 reads these from system properties as well as the environment, so the test points them at an
 * HTTPS mock API server and a token file in a temporary directory (the default paths under
 * {@code /var/run/secrets/kubernetes.io/serviceaccount/} are what a real pod has). The mock's self-signed
 * certificate is trusted through {@code kubernetes.trust.certificates}; in a pod the mounted {@code ca.crt} is.
 */
class InClusterConfigTest {
  private static final List<String> PROPERTIES = List.of(Config.KUBERNETES_SERVICE_HOST_PROPERTY,
      Config.KUBERNETES_SERVICE_PORT_PROPERTY, Config.KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN_FILE_SYSTEM_PROPERTY,
      Config.KUBERNETES_NAMESPACE_FILE, Config.KUBERNETES_KUBECONFIG_FILE,
      Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY,
      "kubernetes.request.retry.backoffLimit");

  @RegisterExtension final MockCluster cluster = new MockCluster(true).namespace(NS).gpuNode("gpu-1", 8);
  private final Map<String, String> saved = new HashMap<>();

  @AfterEach
  void restore() {
    for (String p : PROPERTIES) {
      if (saved.get(p) == null) System.clearProperty(p);
      else System.setProperty(p, saved.get(p));
    }
  }

  private void inAPod(Path dir, String token) throws Exception {
    for (String p : PROPERTIES) saved.put(p, System.getProperty(p));
    URI api = URI.create(cluster.client.getConfiguration().getMasterUrl());
    assertEquals("https", api.getScheme(), "the mock speaks TLS, as an in-cluster API endpoint does");
    Files.writeString(dir.resolve("token"), token);
    Files.writeString(dir.resolve("namespace"), NS);
    System.setProperty(Config.KUBERNETES_SERVICE_HOST_PROPERTY, api.getHost());
    System.setProperty(Config.KUBERNETES_SERVICE_PORT_PROPERTY, Integer.toString(api.getPort()));
    System.setProperty(Config.KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN_FILE_SYSTEM_PROPERTY, dir.resolve("token").toString());
    System.setProperty(Config.KUBERNETES_NAMESPACE_FILE, dir.resolve("namespace").toString());
    // no kubeconfig anywhere: the worker runs in a pod
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, dir.resolve("no-kubeconfig").toString());
    System.setProperty(Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY, "true");
    System.setProperty("kubernetes.request.retry.backoffLimit", "0");
  }

  @Test
  void theServiceAccountIsDetectedAndItsTokenSentWithEveryRequest(@TempDir Path dir) throws Exception {
    inAPod(dir, "in-cluster-token-123");
    String described = KubeClients.describeDefault();
    assertTrue(described.startsWith("in-cluster service account (API https://"), described);
    assertTrue(described.endsWith(", namespace " + NS + ")"), described);
    assertFalse(described.contains("in-cluster-token-123"), "never the token");

    try (K8sTarget target = new K8sTarget(KubeClients.fromKubeconfig(), Clock.systemUTC())) {
      var ctx = K8sGraphs.context(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), Map.of());
      assertEquals(List.of(), target.preflight(ctx), "preflight through the service account");
      assertEquals(0, target.currentRevision(ctx));
    }
    List<ApplyingCrudDispatcher.Seen> seen = cluster.api.seen();
    long withToken = seen.stream().filter(s -> "Bearer in-cluster-token-123".equals(s.authorization())).count();
    assertTrue(withToken >= 10, "preflight's reviews, reads and the records lookup carried the token: " + withToken);
    assertTrue(seen.stream().anyMatch(s -> s.path().contains("/selfsubjectaccessreviews")
        && "Bearer in-cluster-token-123".equals(s.authorization())), "access reviews ask as the service account");
  }

  @Test
  void aKubeconfigWinsAndNothingAtAllIsSaidPlainly(@TempDir Path dir) throws Exception {
    inAPod(dir, "t");
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config",
        "clusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]",
        "users: [{name: u, user: {token: x}}]",
        "contexts: [{name: ctx, context: {cluster: c, user: u}}]", "current-context: ctx", ""));
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    assertEquals("kubeconfig " + kubeconfig + " (context ctx)", KubeClients.describeDefault());

    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, dir.resolve("none").toString());
    System.clearProperty(Config.KUBERNETES_SERVICE_HOST_PROPERTY);
    System.setProperty(Config.KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN_FILE_SYSTEM_PROPERTY, dir.resolve("none").toString());
    assertTrue(KubeClients.describeDefault().startsWith("no kubeconfig and no in-cluster service account"),
        KubeClients.describeDefault());
  }
}
