package ai.dynamo.deploy.activities.k8s;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/**
 * fabric8's mock API server (a real HTTP server on a local port) with the test-only {@link ApplyingCrudDispatcher},
 * and a client for it. Kubernetes itself cannot run on the build machine; this is what the target is tested against.
 */
public final class MockCluster implements AutoCloseable {
  final ApplyingCrudDispatcher api = new ApplyingCrudDispatcher();
  private final MockWebServer web = new MockWebServer();
  final KubernetesMockServer server;
  public final KubernetesClient client;

  public MockCluster() {
    this(false);
  }

  /** With {@code https}, the server speaks TLS with a self-signed certificate (as an in-cluster API endpoint). */
  public MockCluster(boolean https) {
    server = new KubernetesMockServer(new Context(), web, new HashMap<>(), api, https);
    server.init();
    // fabric8 retries 5xx answers itself (with backoff); the tests inject 5xx to see what the target does when the
    // API keeps failing, so the client's own retries are off.
    io.fabric8.kubernetes.client.Config config;
    try (KubernetesClient plain = server.createClient()) {
      config = new io.fabric8.kubernetes.client.ConfigBuilder(plain.getConfiguration())
          .withRequestRetryBackoffLimit(0).build();
    }
    client = server.createClient(b -> b.withConfig(config));
  }

  public MockCluster namespace(String name) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return this;
  }

  public MockCluster secret(String namespace, String name, String key) {
    client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToData(key, "c2VjcmV0LXZhbHVl").build()).create();
    return this;
  }

  public MockCluster gpuNode(String name, int gpus) {
    client.resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity(Integer.toString(gpus))).endStatus()
        .build()).create();
    return this;
  }

  /**
   * Closes watches from the server side first: the mock's HTTP server waits for open connections to end before it
   * stops, and gives up after 10 s, leaving its Vert.x threads behind (which then keep the test JVM alive).
   */
  @Override
  public void close() {
    api.dropWatches();
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException slowShutdown) {
      // Vert.x closes connections asynchronously; on a loaded machine the mock's 10 s wait for its HTTP server can
      // run out, and the mock then skips closing its Vert.x instance, whose threads would keep the test JVM alive.
      // Close that instance ourselves: a slow teardown of the test server says nothing about the code under test.
      closeVertx();
    }
  }

  private void closeVertx() {
    try {
      java.lang.reflect.Field vertxField = MockWebServer.class.getDeclaredField("vertx");
      vertxField.setAccessible(true);
      io.vertx.core.Vertx vertx = (io.vertx.core.Vertx) vertxField.get(web);
      vertx.close().await(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (ReflectiveOperationException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot stop the mock API server", e);
    }
  }
}
