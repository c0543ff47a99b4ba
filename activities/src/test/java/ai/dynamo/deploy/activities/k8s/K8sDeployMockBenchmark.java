package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployTarget;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.k8s.MockCluster;
import ai.dynamo.deploy.testing.k8s.SimulatedController.Behaviour;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14's Kubernetes figures, on fabric8's mock API server with the simulated controller (no real cluster runs
 * here): how soon the worker notices a status change, and a deploy's overhead (start to READY through the deploy
 * workflow on Temporal's Java test server) for the 2-component graph, a 20-component graph with 4 multi-node groups,
 * and 10/50/200 components. The simulated controller has no processes to start, yet it is not instant: a tick lists
 * the namespace's workloads, pods and ReplicaSets once, then handles the workloads a few at a time, each with
 * requests of its own to create pods and write statuses, so with a wave of 20 components it takes its time (a few
 * hundred ms on a busy 2-core machine) to write them ready. The deploy figures count that as overhead; the rows for the 20-component graph say how
 * much of it is the simulation's (apply returned -> status written ready) and how much the deployer's (status written
 * -> wait reported ready), where the time went (Temporal history) and the deployer's API requests. Not a unit test:
 * run by bench/run.sh; prints Markdown rows.
 */
public final class K8sDeployMockBenchmark {
  /** When each component's readiness wait last reported, and with how many ready. */
  private static final Map<String, long[]> REPORTS = new ConcurrentHashMap<>();
  private static final String DEPLOYER = "bench-deployer";
  /** When the target's apply of a component last returned (System.nanoTime), under graph-component. */
  private static final Map<String, Long> APPLIED = new ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    int noticeSamples = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    try (MockCluster cluster = K8sGraphs.cluster();
        // its own token: the deployer's requests are told from the simulated controller's
        K8sTarget real = new K8sTarget(KubeClients.of(cluster.clientWithToken(DEPLOYER)), Clock.systemUTC());
        DeployEnvironment env = DeployEnvironment.serving(recording(real))) {
      deploy(env, cluster, "warm", twoComponents()); // class loading and JIT of the first deploy are not the deployer's
      List<Long> notice = new ArrayList<>();
      for (int i = 0; i < noticeSamples; i++) notice.add(notice(env, cluster, "n" + i));
      row("status change on the mock -> worker's readiness wait notices it (ms)", notice, "<= 200 ms");

      List<Long> two = new ArrayList<>();
      for (int i = 0; i < 5; i++) two.add(deploy(env, cluster, "two" + i, twoComponents()));
      row("deploy overhead, 2 components (2-node group + front end) (ms)", two, "<= 2000 ms");
      List<Long> twenty = new ArrayList<>();
      List<Map<String, String>> phases = new ArrayList<>();
      int requestsFrom = cluster.api.seen().size();
      for (int i = 0; i < 3; i++) {
        twenty.add(deploy(env, cluster, "twenty" + i, twentyComponents()));
        phases.add(lastPhases);
      }
      row("deploy overhead, 20 components with 4 multi-node groups (ms)", twenty, "<= 2000 ms");
      reactions(cluster, 3);
      breakdown(phases.get(sortedIndex(twenty)), DeployTimeline.requests(cluster.api, DEPLOYER, requestsFrom), 3);

      for (int n : new int[] {10, 50, 200}) {
        try {
          long ms = deploy(env, cluster, "scale" + n, scale(n));
          System.out.printf("| deploy overhead, %d components: total / per component (ms) | %d / %.1f | | | linear |%n",
              n, ms, ms / (double) n);
        } catch (IllegalStateException e) {
          System.out.printf("| deploy overhead, %d components | did not reach READY: %s | | | linear |%n", n,
              e.getMessage());
        }
      }
    }
  }

  /**
   * One deploy whose {@code engine} stays Pending until, once the worker is waiting on it, the controller is told
   * to make it ready: milliseconds from that moment to the worker's report of it ready. Includes up to one tick of
   * the simulated controller (50 ms) before the status is written.
   */
  private static long notice(DeployEnvironment env, MockCluster cluster, String name) throws Exception {
    Graph g = K8sGraphs.graph(name, K8sGraphs.component("engine", K8sGraphs.IMAGE, "dyn://g.backend.generate", 1, 1,
        0, List.of()));
    String workload = name + "-engine";
    cluster.controller().behave(workload, Behaviour.PENDING);
    DeployStarter.Started s = DeployStarter.startOrAttach(env.client(), request(g));
    long[] waiting = awaitReport(workload, r -> r[1] == 0);
    long flip = System.nanoTime();
    cluster.controller().behave(workload, Behaviour.READY);
    long[] ready = awaitReport(workload, r -> r[1] > 0 && r[0] > flip);
    end(env, s);
    clear(cluster);
    if (waiting == null || ready == null) throw new IllegalStateException("no readiness report for " + workload);
    return (ready[0] - flip) / 1_000_000;
  }

  private static long[] awaitReport(String workload, java.util.function.Predicate<long[]> match)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      long[] r = REPORTS.get(workload);
      if (r != null && match.test(r)) return r;
      Thread.sleep(1);
    }
    return null;
  }

  /**
   * Start to READY, in milliseconds; then the graph's objects are removed, so that the next deploy meets an empty
   * namespace.
   */
  private static long deploy(DeployEnvironment env, MockCluster cluster, String name, List<Component> components) {
    long start = System.nanoTime();
    DeployStarter.Started s = DeployStarter.startOrAttach(env.client(),
        request(K8sGraphs.graph(name, components.toArray(Component[]::new))));
    try {
      end(env, s);
      long ms = (System.nanoTime() - start) / 1_000_000;
      lastPhases = DeployTimeline.phases(env.client().fetchHistory(s.workflowId(), s.runId()).getEvents());
      return ms;
    } finally {
      clear(cluster);
    }
  }

  private static String graphOf(Object[] args) {
    for (Object a : args) {
      if (a instanceof ai.dynamo.deploy.activities.DeployContext ctx) return ctx.request().graph().name();
    }
    return null;
  }

  /**
   * For the single-Deployment components of the 20-component deploys (15 workers and the front end, named
   * graph-component): the simulated controller's reaction (apply returned -> it wrote the status all ready) and the
   * deployer's part after it (-> the readiness wait reported ready), medians in ms. "Written" is when the
   * controller's PATCH returned; the watch event can reach the wait a few ms before that, hence small negative values.
   */
  private static void reactions(MockCluster cluster, int deploys) {
    List<Long> simulated = new ArrayList<>();
    List<Long> noticed = new ArrayList<>();
    for (int i = 0; i < deploys; i++) {
      List<String> names = new ArrayList<>(List.of("frontend"));
      for (int w = 0; w < 15; w++) names.add("w" + w);
      for (String c : names) {
        String key = "twenty" + i + "-" + c;
        Long applied = APPLIED.get(key);
        Long ready = cluster.controller().readyAt(key);
        long[] report = REPORTS.get(key);
        if (applied == null || ready == null || report == null) continue;
        simulated.add((ready - applied) / 1_000_000);
        noticed.add((report[0] - ready) / 1_000_000);
      }
    }
    if (simulated.isEmpty()) return;
    row("20 components, each single-node component: apply returned -> simulated controller wrote it all ready (ms)",
        simulated, "(simulation)");
    row("20 components, each single-node component: status written all ready -> its readiness wait reported ready (ms)",
        noticed, "(deployer)");
  }

  /** The phases of the last deploy's run (its Temporal history). */
  private static Map<String, String> lastPhases = Map.of();

  /** Where the median 20-component deploy's time went, and the deployer's API requests per deploy. */
  private static void breakdown(Map<String, String> phases, Map<String, Integer> requests, int deploys) {
    for (var p : phases.entrySet()) {
      System.out.printf("| 20 components, median run: %s (ms) | %s | | | |%n", p.getKey(), p.getValue());
    }
    int total = requests.values().stream().mapToInt(Integer::intValue).sum();
    StringBuilder by = new StringBuilder();
    for (var r : requests.entrySet()) {
      by.append(by.length() == 0 ? "" : ", ").append(r.getKey()).append(' ').append(r.getValue() / deploys);
    }
    System.out.printf("| 20 components: the deployer's API requests per deploy (%s) | %d | | | |%n", by, total / deploys);
  }

  private static int sortedIndex(List<Long> samples) {
    long median = samples.stream().sorted().toList().get(samples.size() / 2);
    return samples.indexOf(median);
  }

  /** As K8sGraphs.request, with time for 200 components. */
  private static DeployRequest request(Graph g) {
    return DeployRequest.of(g, new TargetSpec("k8s", "mock/" + K8sGraphs.NS, Map.of("namespace", K8sGraphs.NS)),
        new DeployOptions(Duration.ofMinutes(5), Duration.ofMinutes(5), "bench"));
  }

  /** Removes the workloads, their pods and services: the simulated controller lists them all on every tick. */
  private static void clear(MockCluster cluster) {
    var c = cluster.client;
    c.apps().deployments().inNamespace(K8sGraphs.NS).delete();
    c.apps().statefulSets().inNamespace(K8sGraphs.NS).delete();
    c.batch().v1().jobs().inNamespace(K8sGraphs.NS).delete();
    c.services().inNamespace(K8sGraphs.NS).delete();
    c.pods().inNamespace(K8sGraphs.NS).delete();
  }

  private static void end(DeployEnvironment env, DeployStarter.Started s) {
    DeployResult result = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty()));
    if (result.phase() != Phase.READY) {
      String m = result.message();
      throw new IllegalStateException(result.phase() + " after " + (m.length() > 160 ? m.substring(0, 160) + "..." : m));
    }
  }

  private static List<Component> twoComponents() {
    return List.of(K8sGraphs.frontend(K8sGraphs.IMAGE), group("decode"));
  }

  private static List<Component> twentyComponents() {
    List<Component> c = new ArrayList<>(List.of(K8sGraphs.frontend(K8sGraphs.IMAGE)));
    for (int i = 0; i < 4; i++) c.add(group("group" + i));
    for (int i = 0; i < 15; i++) c.add(worker("w" + i));
    return c;
  }

  private static List<Component> scale(int n) {
    List<Component> c = new ArrayList<>(List.of(K8sGraphs.frontend(K8sGraphs.IMAGE)));
    for (int i = 1; i < n; i++) c.add(worker("w" + i));
    return c;
  }

  private static Component group(String name) {
    return K8sGraphs.component(name, K8sGraphs.IMAGE, "dyn://g." + name + ".generate", 1, 2, 1, List.of());
  }

  private static Component worker(String name) {
    return K8sGraphs.component(name, K8sGraphs.IMAGE, "dyn://g." + name + ".generate", 1, 1, 0, List.of());
  }

  /** The target with every readiness wait's reports recorded (time, ready) under the workload name graph-component. */
  private static DeployTarget recording(K8sTarget real) {
    return (DeployTarget) Proxy.newProxyInstance(DeployTarget.class.getClassLoader(),
        new Class<?>[] {DeployTarget.class}, (proxy, method, args) -> {
          if (method.getName().equals("awaitReady")) {
            // found by type: the method's parameters are the SPI's to change
            String graph = null;
            String component = null;
            for (Object a : args) {
              if (a instanceof ai.dynamo.deploy.activities.DeployContext ctx) graph = ctx.request().graph().name();
              if (a instanceof Component c) component = c.name();
            }
            String key = graph + "-" + component;
            for (int i = 0; i < args.length; i++) {
              if (args[i] instanceof ReadinessWatch watch) args[i] = recording(key, watch);
            }
          }
          try {
            Object result = method.invoke(real, args);
            if (method.getName().equals("apply")) {
              for (Object a : args) {
                if (a instanceof Component c) APPLIED.put(graphOf(args) + "-" + c.name(), System.nanoTime());
              }
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** {@code watch}, with each report's time and whether all were ready recorded under {@code key}. */
  private static ReadinessWatch recording(String key, ReadinessWatch watch) {
    return new ReadinessWatch() {
      @Override
      public Optional<ai.dynamo.deploy.workflows.ReadinessHeartbeat> resumedFrom() {
        return watch.resumedFrom();
      }

      @Override
      public void report(int ready, int desired, String message, String token) {
        REPORTS.put(key, new long[] {System.nanoTime(), ready == desired ? 1 : 0});
        watch.report(ready, desired, message, token);
      }

      @Override
      public void pause(java.time.Duration duration) {
        watch.pause(duration);
      }
    };
  }

  private static void row(String what, List<Long> samples, String goal) {
    List<Long> sorted = new ArrayList<>(samples);
    sorted.sort(null);
    System.out.printf("| %s | %d | %d | %d | %s |%n", what, sorted.get(sorted.size() / 2), sorted.get(0),
        sorted.get(sorted.size() - 1), goal);
  }
}
