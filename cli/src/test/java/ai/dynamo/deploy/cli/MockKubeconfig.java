package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.activities.k8s.MockCluster;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig file whose current context is the mock API server, made the one fabric8 reads (the {@code kubeconfig}
 * system property) until {@link #close}: how the CLI tests let the production worker registration find the mock.
 */
final class MockKubeconfig implements AutoCloseable {
  private final String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);

  MockKubeconfig(MockCluster cluster, Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("kubeconfig"), String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: \"" + cluster.client.getConfiguration().getMasterUrl() + "\"}",
        "users:",
        "- name: tester",
        "  user: {token: not-a-real-token}",
        "contexts:",
        "- name: mock",
        "  context: {cluster: mock, user: tester}",
        "current-context: mock",
        ""));
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file.toString());
  }

  @Override
  public void close() {
    if (previous == null) System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    else System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
  }
}
