package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.DeployWorkflowImpl;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy workflow with the real Slurm target on the local cluster: the demo graph to READY (with a 2-node group
 * whose log shows the leader ready before the workers), a failed update rolled back while the previous revision
 * keeps running, a blue/green update, a failed first deploy cleaned up, a worker killed mid-wait, an unknown host key.
 */
@Timeout(240)
class SlurmDeployWorkflowTest {
  static final String DEMO_SECRET = "demo-" + UUID.randomUUID();

  ClusterFixture fx;
  DeployEnvironment env;
  String location;

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("workflow");
    // Workflow tasks and the local activities they run (apply) on a worker that stays up; the other activities go to
    // the workers startWorker() starts, which a test may kill.
    env = DeployEnvironment.workflowWorkerOnly(target());
    // A location of its own per test: workflow IDs (and so job identities) never meet an earlier run's.
    location = "local-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      if (env != null) env.close();
    } finally {
      if (fx != null) fx.close();
    }
  }

  private SlurmTarget target() {
    return new SlurmTarget(new WorkerSecretSource(Map.of("DYNAMO_SECRET_DEMO_TOKEN", DEMO_SECRET), null),
        Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(20));
  }

  /**
   * A worker process's activity side with the real Slurm target. Workflow tasks (and the local activity apply) are
   * served by the environment's own worker, which stays up: the Java test server loses a workflow task handed to the long poll of a worker that shut
   * down (a real server does not), and what the restart test is about is the heartbeating wait, an activity.
   */
  private WorkerFactory startWorker() {
    return env.startActivityWorker(target());
  }

  private Map<String, String> settings(Path knownHosts) {
    Map<String, String> s = new TreeMap<>(fx.settings());
    s.put(SlurmSettings.SSH_HOST, fx.endpoint.user() + "@" + fx.endpoint.hostName() + ":" + fx.endpoint.port());
    s.put(SlurmSettings.SSH_KEY, fx.endpoint.identityFiles().get(0).toString());
    s.put(SlurmSettings.KNOWN_HOSTS, knownHosts.toString());
    s.put(SlurmSettings.SSH_CONFIG, "/dev/null");
    return s;
  }

  private DeployRequest request(Graph g, Map<String, String> settings) {
    return DeployRequest.of(g, new TargetSpec("slurm", location, settings),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), "slurm-test"));
  }

  private WorkflowStub start(DeployRequest request) {
    DeployStarter.Started s = DeployStarter.startOrAttach(env.client(), request);
    return env.client().newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty());
  }

  private DeployResult deploy(Graph g) {
    return DeployOutcomes.await(start(request(g, settings(fx.knownHosts()))));
  }

  /** With an explicit strategy (auto would recreate these fixed-port services: all local nodes share one host). */
  private DeployResult deploy(Graph g, String strategy) {
    Map<String, String> s = settings(fx.knownHosts());
    s.put(ai.dynamo.deploy.workflows.UpdateSettings.STRATEGY, strategy);
    return DeployOutcomes.await(start(request(g, s)));
  }

  private Graph load(String yaml) {
    return fx.graph(yaml);
  }

  private Graph service(String name, String component, int port, String extra) throws IOException {
    return load("version: 1\nname: " + name + "\ncomponents:\n" + component(component, port, extra));
  }

  private String component(String component, int port, String extra) throws IOException {
    return "  - name: " + component + "\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + port + extra + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n";
  }

  /** Jobs of a graph that belong to a revision and have not ended. */
  private List<SlurmJob> live(Graph g, int revision) throws IOException {
    return fx.jobsOf(g).stream()
        .filter(j -> !j.state().ended())
        .filter(j -> {
          JobIdentity id = JobIdentity.parse(j.comment());
          return id != null && id.revision() == revision && id.workflowId().contains(location);
        })
        .toList();
  }

  private List<JobStatusLine> statusLines(RemoteLayout layout, String component) throws IOException {
    String text = fx.ssh.readFile(layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, component, 0))
        .orElseThrow();
    return text.lines().map(JobStatusLine::parse).flatMap(Optional::stream).toList();
  }

  @Test
  void theDemoGraphDeploysToReadyWithTheLeaderReadyBeforeItsWorkers() throws Exception {
    LoadResult loaded = GraphLoader.load(ClusterFixture.repoRoot().resolve("examples/slurm/standin-graph.yaml"),
        Target.SLURM);
    assertTrue(loaded.ok(), loaded.errors().toString());
    String home = fx.ssh.home();
    // The example names the local cluster's job user's home; on another home the stand-in path follows it.
    String yaml = Files.readString(ClusterFixture.repoRoot().resolve("examples/slurm/standin-graph.yaml"))
        .replace("/home/dynamo/", home + "/");
    Graph g = fx.register(GraphLoader.load("standin-graph.yaml", yaml, Target.SLURM).graph());
    WorkerFactory worker = startWorker();
    try {
      DeployResult result = deploy(g);
      assertEquals(Phase.READY, result.phase(), result.message());
      assertEquals(1, result.revision());
      assertEquals(3, live(g, 1).size(), "frontend, worker and the group run: " + fx.jobsOf(g));
      RemoteLayout layout = fx.layout(g);
      String groupJob = fx.ssh.readFile(layout.jobIdFile(1, "group", 0)).orElseThrow().strip();
      String log = fx.ssh.readFile(layout.output(1, "group", 0, groupJob)).orElseThrow();
      int leaderReady = log.indexOf("listening on port 18702");
      int workersStarted = log.indexOf("workers started");
      assertTrue(leaderReady >= 0 && workersStarted > leaderReady, "leader ready, then workers started:\n" + log);
      // each worker rank writes to a file of its own
      String rank1 = fx.ssh.readFile(layout.rankOutput(1, "group", 0, groupJob, 1)).orElseThrow();
      assertTrue(rank1.contains("worker rank 1: leader ") && rank1.contains("answered before this worker started"),
          rank1);
      assertFalse(log.contains("worker rank 1: leader "), "not in the leader's file: " + log);
      // The front end (second wave) was submitted with the first, held, and started once the engines were ready.
      List<JobStatusLine> front = statusLines(layout, "frontend");
      List<JobStatusLine> group = statusLines(layout, "group");
      assertEquals("held", front.get(0).state(), front.toString());
      Instant frontStarted = front.stream().filter(l -> l.state().equals("started")).findFirst().orElseThrow().time();
      Instant groupWorkers =
          group.stream().filter(l -> l.state().equals("workers-started")).findFirst().orElseThrow().time();
      assertTrue(!frontStarted.isBefore(groupWorkers), "front end started " + frontStarted
          + ", the group's workers " + groupWorkers);
      DeployState state = new DeployStateStore(fx.ssh, layout).read(g.name());
      assertEquals(1, state.currentRevision());
      assertEquals(3, state.current().jobs().size(), state.toString());
      assertEquals(groupJob, state.current().jobs().get("group-0"));
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void aFailedUpdateIsRolledBackAndTheNextUpdateReplacesTheOldJobsBlueGreen() throws Exception {
    String name = "upd-" + UUID.randomUUID().toString().substring(0, 8);
    Graph v1 = service(name, "web", FreePorts.take(), "");
    Graph broken = service(name, "web", FreePorts.take(), ", exit_code: 7");
    Graph v2 = service(name, "web", FreePorts.take(), ", startup_delay: 1");
    WorkerFactory worker = startWorker();
    try {
      assertEquals(Phase.READY, deploy(v1).phase());
      String rev1Job = live(v1, 1).get(0).id();

      DeployResult failed = deploy(broken, "blue-green");
      assertEquals(Phase.ROLLED_BACK, failed.phase(), failed.message());
      assertEquals(1, failed.revision(), "revision 1 is still the live one");
      assertTrue(failed.message().contains("exiting at once with status 7"), failed.message());
      assertEquals(List.of(), live(broken, 2), "no job of the failed revision remains");
      assertEquals(List.of(rev1Job), live(v1, 1).stream().map(SlurmJob::id).toList(), "revision 1 keeps running");
      DeployState state = new DeployStateStore(fx.ssh, fx.layout(v1)).read(name);
      assertEquals(1, state.currentRevision());
      assertEquals(DeployState.Status.ROLLED_BACK, state.entry(2).status());

      DeployResult updated = deploy(v2, "blue-green");
      assertEquals(Phase.READY, updated.phase(), updated.message());
      assertEquals(2, updated.revision());
      assertEquals(1, live(v2, 2).size());
      assertEquals(List.of(), live(v1, 1), "blue/green: the previous revision's job was cancelled once the new one was ready");
      SlurmJob old = new SlurmClient(fx.ssh).jobsById(List.of(rev1Job)).get(0);
      assertEquals(SlurmJobState.CANCELLED, old.state(), old.describe());
      state = new DeployStateStore(fx.ssh, fx.layout(v1)).read(name);
      assertEquals(2, state.currentRevision());
      assertEquals(DeployState.Status.SUPERSEDED, state.entry(1).status());
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void aFailedFirstDeployCancelsEverythingItSubmitted() throws Exception {
    String name = "first-" + UUID.randomUUID().toString().substring(0, 8);
    // "good" may become ready in the very workflow task in which "bad" fails: the stopped wait is abandoned, not
    // cancelled, so Temporal's Java test server does not hang (sdk-java#2391; DeployWorkflowImpl.ABANDON_STOPPED_WAITS).
    Graph g = load("version: 1\nname: " + name + "\ncomponents:\n" + component("good", FreePorts.take(), "")
        + component("bad", FreePorts.take(), ", exit_code: 3"));
    WorkerFactory worker = startWorker();
    try {
      DeployResult result = deploy(g);
      assertNotEquals(Phase.READY, result.phase());
      assertEquals(0, result.revision(), result.message());
      assertTrue(fx.jobsOf(g).size() >= 2, "both were submitted: " + fx.jobsOf(g));
      assertEquals(List.of(), live(g, 1), "nothing of the failed first deploy runs");
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void aWorkerKilledDuringTheReadinessWaitIsReplacedAndTheDeployFinishes() throws Exception {
    int port = FreePorts.take();
    Graph g = service("restart-" + UUID.randomUUID().toString().substring(0, 8), "slow", port, ", startup_delay: 30");
    WorkerFactory first = startWorker();
    WorkflowStub stub = start(request(g, settings(fx.knownHosts())));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (live(g, 1).stream().noneMatch(j -> j.state() == SlurmJobState.RUNNING)) {
      assertTrue(System.nanoTime() < deadline, "the job never ran");
      Thread.sleep(300);
    }
    Thread.sleep(1500); // the wait is polling now
    first.shutdownNow();
    first.awaitTermination(10, TimeUnit.SECONDS);
    WorkerFactory second = startWorker();
    try {
      java.util.concurrent.CompletableFuture<DeployResult> f =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> DeployOutcomes.await(stub));
      DeployResult result;
      try {
        result = f.get(90, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        StringBuilder h = new StringBuilder();
        env.client().fetchHistory(stub.getExecution().getWorkflowId()).getEvents()
            .forEach(ev -> h.append(ev.getEventType()).append(' ').append(ev.getEventTime().getSeconds()).append('\n'));
        throw new AssertionError("stuck; history:\n" + h + "\n" + env.temporal().getDiagnostics());
      }
      assertEquals(Phase.READY, result.phase(), result.message());
      assertEquals(1, fx.jobsOf(g).size(), "the new worker resumed the wait; nothing was submitted again");
    } finally {
      second.shutdownNow();
    }
  }

  @Test
  void anUnknownHostKeyIsRefusedByDefault(@TempDir Path tmp) throws Exception {
    Path empty = Files.createFile(tmp.resolve("known_hosts"));
    Graph g = service("hostkey-" + UUID.randomUUID().toString().substring(0, 8), "web", FreePorts.take(), "");
    WorkerFactory worker = startWorker();
    try {
      DeployResult result = DeployOutcomes.await(start(request(g, settings(empty))));
      assertNotEquals(Phase.READY, result.phase());
      assertTrue(result.message().contains("SHA256:") && result.message().contains("ssh-keyscan"), result.message());
      assertEquals("", Files.readString(empty));
      assertTrue(fx.jobsOf(g).isEmpty(), "nothing was submitted");
    } finally {
      worker.shutdownNow();
    }
  }
}
