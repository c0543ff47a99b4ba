package ai.dynamo.deploy.activities.k8s;

import static ai.dynamo.deploy.activities.k8s.K8sGraphs.IMAGE;
import static ai.dynamo.deploy.activities.k8s.K8sGraphs.NS;
import static org.junit.jupiter.api.Assertions.*;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.ApplyingCrudDispatcher;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the target itself asks of the API server, told from the simulators' requests by its own bearer token: a
 * 200-component deploy opens at most one watch per kind and namespace (the shared informers), and a deploy with a
 * LeaderWorkerSet, a failing revision, its rollback and a prune needs no permission outside {@link K8sAccess}.
 */
@Timeout(600)
class K8sWorkerRequestsTest {
  private static final String TOKEN = "worker-token";

  // Ordered: the Temporal environment (its workers, then the target) closes before the cluster they talk to. The
  // target uses a client of its own, with its own token; the simulators use the cluster's.
  @RegisterExtension @Order(1) final MockCluster cluster = K8sGraphs.cluster().withLeaderWorkerSets(NS);
  @RegisterExtension @Order(2)
  final DeployEnvironment env = DeployEnvironment.serving(K8sGraphs.target(cluster.clientWithToken(TOKEN)));

  private DeployResult deploy(Graph graph, Map<String, String> settings) {
    return deploy(K8sGraphs.request(graph, settings));
  }

  private DeployResult deploy(DeployRequest request) {
    return K8sGraphs.deploy(env, request);
  }

  private List<ApplyingCrudDispatcher.Seen> workerRequests() {
    return cluster.api.seen().stream().filter(s -> ("Bearer " + TOKEN).equals(s.authorization())).toList();
  }

  @Test
  void aTwoHundredComponentDeployOpensOneWatchPerKindAndNamespace() {
    List<Component> components = new ArrayList<>();
    for (int i = 0; i < 190; i++) {
      components.add(K8sGraphs.component("engine_" + i, IMAGE, "dyn://g.e" + i + ".generate", 1, 1, 0, List.of()));
    }
    for (int i = 0; i < 5; i++) {
      components.add(K8sGraphs.component("group_" + i, IMAGE, "dyn://g.m" + i + ".generate", 1, 2, 1, List.of()));
      components.add(K8sGraphs.component("batch_" + i, IMAGE, "batch:/data/" + i + ".jsonl", 1, 1, 0, List.of()));
    }
    Graph graph = new Graph("1.0", "g", components);
    assertEquals(200, graph.components().size());

    // The simulated controller works through 200 workloads every tick: on a loaded machine that takes a while, so
    // the components get more than the usual test budget (this test counts requests; it measures no time).
    DeployRequest base = K8sGraphs.request(graph, Map.of());
    DeployResult result = deploy(new DeployRequest(base.graph(), base.specDigest(), base.target(),
        new DeployOptions(Duration.ofMinutes(10), Duration.ofMinutes(10), "test@host")));
    assertEquals(Phase.READY, result.phase(), result.message());

    Map<String, Integer> watches = new TreeMap<>();
    for (ApplyingCrudDispatcher.Seen s : workerRequests()) {
      if (!s.method().equals("GET") || !s.path().contains("watch=true")) continue;
      watches.merge(s.path().substring(0, s.path().indexOf('?')), 1, Integer::sum);
    }
    System.err.println("watch requests of a 200-component deploy: " + watches);
    assertEquals(Set.of("/api/v1/namespaces/llm/pods", "/apis/apps/v1/namespaces/llm/replicasets",
        "/apis/apps/v1/namespaces/llm/deployments", "/apis/apps/v1/namespaces/llm/statefulsets",
        "/apis/batch/v1/namespaces/llm/jobs"), watches.keySet());
    watches.forEach((path, n) -> assertEquals(1, n, "watches of " + path));
  }

  /**
   * Per component, from preflight to READY, the deployer reads its Deployment twice (preflight's ownership check, the
   * apply step's "already current?" check) and writes it once; the readiness wait uses what the apply got back
   * instead of reading it a third time, and learns the rest from the shared informers.
   */
  @Test
  void aComponentsWorkloadIsReadTwiceAndAppliedOnceOnItsWayToReady() {
    List<Component> components = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      components.add(K8sGraphs.component("w" + i, IMAGE, "dyn://g.w" + i + ".generate", 1, 1, 0, List.of()));
    }
    assertEquals(Phase.READY, deploy(new Graph("1.0", "g", components), Map.of()).phase());

    for (int i = 0; i < 3; i++) {
      String path = "/apis/apps/v1/namespaces/llm/deployments/g-w" + i;
      Map<String, Integer> byMethod = new TreeMap<>();
      for (ApplyingCrudDispatcher.Seen s : workerRequests()) {
        String p = s.path().contains("?") ? s.path().substring(0, s.path().indexOf('?')) : s.path();
        if (p.equals(path)) byMethod.merge(s.method(), 1, Integer::sum);
      }
      assertEquals(Map.of("GET", 2, "PATCH", 1), byMethod, "the deployer's requests to " + path);
    }
  }

  /** verb, resource and scope of a request path, as in {@link K8sAccessTable}. */
  private static final Pattern RESOURCE_PATH = Pattern.compile(
      "/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)(?:/namespaces/(?<ns>[^/]+))?/(?<resource>[^/]+)(?:/(?<name>[^/]+))?(?:/(?<sub>[^/]+))?");

  static String permission(ApplyingCrudDispatcher.Seen s) {
    String path = s.path().contains("?") ? s.path().substring(0, s.path().indexOf('?')) : s.path();
    if (path.equals("/apis/" + LeaderWorkerSetApi.API_VERSION) || path.equals("/api/v1") || path.equals("/apis")) {
      return K8sAccessTable.nonResource("get", path);
    }
    Matcher m = RESOURCE_PATH.matcher(path);
    assertTrue(m.matches(), "a resource path: " + s);
    String group = m.group("group") == null ? "" : m.group("group");
    String resource = m.group("resource");
    String name = m.group("name");
    boolean namespaced = m.group("ns") != null;
    if (!namespaced && resource.equals("namespaces") && name != null) namespaced = false;
    String verb = switch (s.method()) {
      case "GET" -> name != null ? "get" : s.path().contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PATCH" -> "patch";
      case "PUT" -> "update";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> s.method();
    };
    return K8sAccessTable.resource(verb, group, resource, namespaced);
  }

  @Test
  void everyRequestOfADeployRollbackPruneAndUninstallIsInThePermissionTable() {
    Map<String, String> settings = Map.of("multinode", "lws", "imagePullSecrets", "ngc");
    cluster.client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("ngc")
        .withNamespace(NS).endMetadata().withType("kubernetes.io/dockerconfigjson").build()).create();
    assertEquals(Phase.READY, deploy(K8sGraphs.sample(IMAGE), settings).phase());
    assertEquals(Phase.ROLLED_BACK, deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE),
        K8sGraphs.engine(IMAGE + "-2:crashloop"), K8sGraphs.group(IMAGE)), settings).phase());
    assertEquals(Phase.READY, deploy(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), settings).phase());
    // uninstall, removing the revision records too
    ai.dynamo.deploy.client.DeployStarter.Started u = ai.dynamo.deploy.client.DeployUninstall.start(env.client(), "g",
        K8sGraphs.request(K8sGraphs.graph("g", K8sGraphs.frontend(IMAGE)), settings).target(), false, "test@host", null);
    assertEquals(Phase.UNINSTALLED, ai.dynamo.deploy.client.DeployOutcomes.await(env.client().newUntypedWorkflowStub(
        u.workflowId(), java.util.Optional.of(u.runId()), java.util.Optional.empty())).phase());

    Set<String> used = new TreeSet<>();
    for (ApplyingCrudDispatcher.Seen s : workerRequests()) {
      if (s.path().startsWith("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")) continue; // every user's
      used.add(permission(s));
    }
    Set<String> outside = new TreeSet<>(used);
    outside.removeAll(K8sAccessTable.all());
    assertEquals(Set.of(), outside, "requests outside the permission table; used: " + used);
    assertTrue(used.contains(K8sAccessTable.resource("create", "leaderworkerset.x-k8s.io", "leaderworkersets", true))
        || used.contains(K8sAccessTable.resource("patch", "leaderworkerset.x-k8s.io", "leaderworkersets", true)),
        "the LeaderWorkerSet was applied: " + used);
    assertTrue(used.contains(K8sAccessTable.resource("delete", "apps", "deployments", true)), used.toString());
    assertTrue(used.contains(K8sAccessTable.resource("watch", "", "pods", true)), used.toString());
    assertTrue(used.contains(K8sAccessTable.resource("delete", "", "secrets", true)), "uninstall: " + used);
  }
}
