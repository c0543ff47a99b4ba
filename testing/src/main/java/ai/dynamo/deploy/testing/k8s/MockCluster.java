package ai.dynamo.deploy.testing.k8s;

import ai.dynamo.deploy.testing.Lifecycle;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * fabric8's mock API server (a real HTTP server on a local port) with the test-only {@link ApplyingCrudDispatcher},
 * a client for it, and optionally {@link SimulatedController}s that play the workload controllers and
 * {@link SimulatedLeaderWorkerSets} that play LeaderWorkerSet. Kubernetes itself cannot run on the build machine;
 * this is what the Kubernetes target is tested against.
 *
 * <p>A JUnit 5 extension: declared as a {@code @RegisterExtension} field it starts with the field and closes after
 * each test (a {@code static} field: after the class), e.g.
 *
 * <pre>
 * &#64;RegisterExtension final MockCluster cluster = new MockCluster().namespace("llm").withController("llm");
 * </pre>
 */
public final class MockCluster extends Lifecycle {
  /** The dispatcher: server-side apply, access reviews, fault injection, the requests it saw. */
  public final ApplyingCrudDispatcher api = new ApplyingCrudDispatcher();
  private final KubernetesMockServer server;
  public final KubernetesClient client;
  private final List<SimulatedController> controllers = new ArrayList<>();
  private final List<SimulatedLeaderWorkerSets> leaderWorkerSets = new ArrayList<>();
  private final List<KubernetesClient> otherClients = new ArrayList<>();

  public MockCluster() {
    this(false);
  }

  /** With {@code https}, the server speaks TLS with a self-signed certificate (as an in-cluster API endpoint). */
  public MockCluster(boolean https) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, https);
    server.init();
    // fabric8 retries 5xx answers itself (with backoff); the tests inject 5xx to see what the target does when the
    // API keeps failing, so the client's own retries are off.
    Config config;
    try (KubernetesClient plain = server.createClient()) {
      config = new ConfigBuilder(plain.getConfiguration()).withRequestRetryBackoffLimit(0).build();
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

  /** Starts a {@link SimulatedController} for {@code namespace}; closed with the cluster. */
  public MockCluster withController(String namespace) {
    controllers.add(new SimulatedController(client, namespace).start());
    return this;
  }

  /**
   * Serves the LeaderWorkerSet API (its CRD) and starts {@link SimulatedLeaderWorkerSets} for {@code namespace};
   * closed with the cluster.
   */
  public MockCluster withLeaderWorkerSets(String namespace) {
    SimulatedLeaderWorkerSets.installCrd(client);
    leaderWorkerSets.add(new SimulatedLeaderWorkerSets(client, namespace).start());
    return this;
  }

  /** The simulator of the first {@link #withLeaderWorkerSets} call. */
  public SimulatedLeaderWorkerSets leaderWorkerSets() {
    if (leaderWorkerSets.isEmpty()) {
      throw new IllegalStateException("no LeaderWorkerSet simulator: declare the cluster withLeaderWorkerSets(ns)");
    }
    return leaderWorkerSets.get(0);
  }

  /**
   * Another client of this server that sends {@code token} as its bearer token, so that the {@link
   * ApplyingCrudDispatcher#seen() requests} it makes can be told from the simulators'; closed with the cluster.
   */
  public KubernetesClient clientWithToken(String token) {
    KubernetesClient other = server.createClient(b -> b.withConfig(
        new ConfigBuilder(client.getConfiguration()).withOauthToken(token).build()));
    otherClients.add(other);
    return other;
  }

  /** The controller of the first {@link #withController} call. */
  public SimulatedController controller() {
    if (controllers.isEmpty()) throw new IllegalStateException("no controller: declare the cluster withController(ns)");
    return controllers.get(0);
  }

  /** The API server's URL, for a kubeconfig. */
  public String masterUrl() {
    return client.getConfiguration().getMasterUrl();
  }

  /**
   * Stops the controllers, then closes watches from the server side first: the mock's HTTP server waits for open
   * connections to end before it stops.
   */
  @Override
  public void close() {
    leaderWorkerSets.forEach(SimulatedLeaderWorkerSets::close);
    controllers.forEach(SimulatedController::close);
    api.dropWatches();
    otherClients.forEach(KubernetesClient::close);
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException slowShutdown) {
      // On a loaded machine the mock's 10 s wait for its HTTP server to close can run out; it then leaves its Vert.x
      // threads behind. They end with the forked test JVM (surefire exits it); a slow teardown of the test server
      // says nothing about the code under test.
    }
  }
}
