package ai.dynamo.deploy.testing.k8s;

import ai.dynamo.deploy.testing.Lifecycle;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig file whose current context is a {@link MockCluster}'s API server, made the one fabric8 reads (the
 * {@code kubeconfig} system property) until {@link #close}: how tests let a production worker registration, which
 * finds its cluster as a user's worker would, reach the mock. A JUnit 5 extension (see {@link Lifecycle}); register
 * it after the cluster:
 *
 * <pre>
 * &#64;RegisterExtension &#64;Order(1) final MockCluster cluster = new MockCluster().namespace("llm").withController("llm");
 * &#64;RegisterExtension &#64;Order(2) final MockKubeconfig kubeconfig = new MockKubeconfig(cluster);
 * </pre>
 */
public final class MockKubeconfig extends Lifecycle {
  private final String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
  private final Path file;

  public MockKubeconfig(MockCluster cluster) {
    try {
      file = Files.createTempFile("mock-kubeconfig", ".yaml");
      Files.writeString(file, String.join("\n",
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: mock",
          "  cluster: {server: \"" + cluster.masterUrl() + "\"}",
          "users:",
          "- name: tester",
          "  user: {token: not-a-real-token}",
          "contexts:",
          "- name: mock",
          "  context: {cluster: mock, user: tester}",
          "current-context: mock",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a kubeconfig for the mock API server", e);
    }
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file.toString());
  }

  /** The kubeconfig file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    if (previous == null) System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    else System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
    Files.deleteIfExists(file);
  }
}
