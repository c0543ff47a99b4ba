package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.activities.k8s.SharedInformers.Kind;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker's shared informers on the mock API server: one watch per kind and namespace however many waits lease
 * it, each wait called back with its own component's changes only (the event that wakes a readiness check), and the
 * watch closed once nobody has used it for the idle time.
 */
@Timeout(60)
class SharedInformersTest {
  @RegisterExtension final MockCluster cluster = new MockCluster().namespace(NS);
  private final SharedInformers informers = new SharedInformers(Duration.ofMillis(200));

  /** Before the cluster closes (the extension's turn comes after {@code @AfterEach}). */
  @AfterEach
  void close() {
    informers.close();
  }

  private Deployment deployment(String component, boolean ours) {
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
    labels.put(ManifestSet.GRAPH, "g");
    labels.put(ManifestSet.COMPONENT, component);
    if (ours) labels.put(ManifestSet.MANAGED_BY, ManifestSet.MANAGER);
    return cluster.client.resource(new DeploymentBuilder().withNewMetadata().withName("g-" + component)
        .withNamespace(NS).withLabels(labels).endMetadata().withNewSpec().withReplicas(1).endSpec().build()).create();
  }

  private long watches(String resource) {
    return cluster.api.requests().stream().filter(r -> r.startsWith("GET") && r.contains("watch=true")
        && r.contains("/namespaces/" + NS + "/" + resource + "?")).count();
  }

  private static String next(BlockingQueue<HasMetadata> events) throws InterruptedException {
    HasMetadata o = events.poll(20, TimeUnit.SECONDS);
    assertNotNull(o, "an event arrived");
    return o.getMetadata().getName();
  }

  @Test
  void manyWaitsShareOneWatchAndEachHearsOnlyItsComponent() throws InterruptedException {
    BlockingQueue<HasMetadata> a = new LinkedBlockingQueue<>();
    BlockingQueue<HasMetadata> b = new LinkedBlockingQueue<>();
    try (SharedInformers.Lease leaseA = informers.lease(cluster.client, NS, "g", "a", EnumSet.of(Kind.DEPLOYMENTS), a::add);
        SharedInformers.Lease leaseB = informers.lease(cluster.client, NS, "g", "b", EnumSet.of(Kind.DEPLOYMENTS), b::add)) {
      assertTrue(leaseA.synced(Duration.ofSeconds(20)) && leaseB.synced(Duration.ofSeconds(20)));
      deployment("a", true);
      deployment("b", true);
      deployment("c", false); // not ours: not even cached
      assertEquals("g-a", next(a));
      assertEquals("g-b", next(b));

      Deployment changed = cluster.client.apps().deployments().inNamespace(NS).withName("g-a").get();
      changed.getSpec().setReplicas(3);
      cluster.client.resource(changed).update();
      assertEquals("g-a", next(a), "a change reaches the wait that needs it");
      assertTrue(b.isEmpty(), "and no other: " + b);

      assertEquals(List.of("g-a"), leaseA.list(Kind.DEPLOYMENTS).stream().map(o -> o.getMetadata().getName()).toList());
      assertEquals(1, informers.running());
      assertEquals(1, watches("deployments"), cluster.api.requests().toString());
    }
  }

  @Test
  void anInformerNobodyUsesIsStoppedAfterTheIdleTimeAndStartedAgainWhenNeeded() throws InterruptedException {
    try (SharedInformers.Lease lease = informers.lease(cluster.client, NS, "g", "a", EnumSet.of(Kind.PODS), o -> {})) {
      assertTrue(lease.synced(Duration.ofSeconds(20)));
    }
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (informers.running() > 0 && System.nanoTime() < until) Thread.sleep(50);
    assertEquals(0, informers.running(), "stopped once idle");
    try (SharedInformers.Lease lease = informers.lease(cluster.client, NS, "g", "a", EnumSet.of(Kind.PODS), o -> {})) {
      assertTrue(lease.synced(Duration.ofSeconds(20)));
      assertEquals(2, watches("pods"), "a new watch for the next wait");
    }
  }

  @Test
  void aListTheServerRefusesIsTheWaitsFailure() {
    cluster.api.failNext("GET", "/jobs", 403, 100);
    try (SharedInformers.Lease lease = informers.lease(cluster.client, NS, "g", "a", EnumSet.of(Kind.JOBS), o -> {})) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> lease.synced(Duration.ofSeconds(20)));
      assertTrue(e instanceof io.fabric8.kubernetes.client.KubernetesClientException, e.toString());
    }
  }
}
