package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.client.DeployDiffs;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployDiff;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.workflows.UpdateSettings;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-component updates on the real local Slurm cluster (3 nodes x 8 GPUs), with a graph shaped like a real one: a
 * decode group of 2 nodes x 8 GPUs and a front end on CPU (issue 10). The running decode group holds 16 of the 24
 * GPUs, so a second copy of it can never start beside it. Each test takes its two ports from {@code FreePorts}.
 */
@Timeout(300)
class SlurmUpdatesClusterTest {
  ClusterFixture fx;
  DeployEnvironment env;
  WorkerFactory worker;
  String location;
  /** This test's graph (a location and a name of its own: tests never see each other's jobs). */
  final String name = "upd-" + UUID.randomUUID().toString().substring(0, 6);
  int frontPort;
  int leaderPort;

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("updates");
    env = DeployEnvironment.workflowWorkerOnly(target());
    worker = env.startActivityWorker(target());
    location = "upd-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = FreePorts.take(2);
    frontPort = ports[0];
    leaderPort = ports[1];
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      if (worker != null) worker.shutdownNow();
      if (env != null) env.close();
    } finally {
      if (fx != null) fx.close();
    }
  }

  /** A secret value only the worker has: it must never appear in a diff or a history. */
  static final String SECRET = "diff-secret-" + UUID.randomUUID();

  private static SlurmTarget target() {
    return new SlurmTarget(new WorkerSecretSource(Map.of("DYNAMO_SECRET_DEMO_TOKEN", SECRET), null),
        Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(20));
  }

  /** decode (2 nodes x 8 GPUs) and a front end; {@code decodeExtra}/{@code frontExtra} are extra parameters. */
  private Graph graph(String name, String decodeExtra, String frontExtra) throws IOException {
    String standin = fx.standinPath();
    return fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
        + "  - name: decode\n    cmd: [python3, " + standin + "]\n"
        + "    run_config: {input: \"dyn://upd.decode.generate\", output: echo, model_path: stand-in/decode,"
        + " num_nodes: 2, leader_addr: \"127.0.0.1:" + leaderPort + "\"}\n"
        + "    parameters: {startup_delay: 1" + decodeExtra + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi, gpu: 8}\n"
        + "  - name: frontend\n    cmd: [python3, " + standin + "]\n"
        + "    run_config: {input: http, output: dyn}\n"
        + "    parameters: {port: " + frontPort + frontExtra + "}\n"
        + "    environment: {DEMO_TOKEN: \"${{ secrets.DEMO_TOKEN }}\"}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
  }

  private Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> s = fx.targetSettings();
    s.putAll(extra);
    return s;
  }

  private DeployResult deploy(Graph g, Map<String, String> extra) {
    DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", location, settings(extra)),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(3), "updates-test"));
    DeployStarter.Started s = DeployStarter.startOrAttach(env.client(), request);
    WorkflowStub stub = env.client().newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty());
    return DeployOutcomes.await(stub);
  }

  private DeployResult deploy(Graph g) {
    return deploy(g, Map.of());
  }

  private DeployState state(Graph g) throws IOException {
    return new DeployStateStore(fx.ssh, fx.layout(g)).read(g.name());
  }

  /** The live job ID of a component, from state.json (replica 0). */
  private String job(Graph g, String component) throws IOException {
    return state(g).current().components().get(component).jobs().values().iterator().next();
  }

  private SlurmJob slurmJob(String id) throws IOException {
    return new SlurmClient(fx.ssh).jobsById(List.of(id)).get(0);
  }

  private String change(DeployResult r, String component) {
    return r.progress().component(component).change();
  }

  /** Whether something listens on {@code port} of the cluster's (shared) host, asked from the login node. */
  private boolean answers(int port) throws IOException {
    return fx.ssh.run("timeout 3 bash -c '</dev/tcp/127.0.0.1/" + port + "'", RemoteShell.Retry.SAFE).ok();
  }

  /** Revision 1 of this test's graph, deployed and READY: what every update below starts from. */
  private Graph deployFirstRevision() throws IOException {
    Graph v1 = graph(name, "", "");
    DeployResult first = deploy(v1);
    assertEquals(Phase.READY, first.phase(), first.message());
    return v1;
  }

  /** A decode change with blue/green and a 5 s grace: it cannot start beside the running group, so it rolls back. */
  private DeployResult blueGreenDecodeChange() throws IOException {
    return deploy(graph(name, ", max_batch_size: 16", ""),
        Map.of(UpdateSettings.STRATEGY, "blue-green", UpdateSettings.BLUE_GREEN_GRACE_SECONDS, "5"));
  }

  @Test
  void anIdenticalReRunKeepsTheSameJobsAndRecordsNoRevision() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");
    String front = job(v1, "frontend");

    DeployResult again = deploy(v1);
    assertEquals(Phase.READY, again.phase(), again.message());
    assertEquals(1, again.revision());
    assertTrue(again.message().startsWith("unchanged: revision 1 is live and healthy"), again.message());
    assertEquals("unchanged", change(again, "decode"));
    assertEquals(decode, job(v1, "decode"));
    assertEquals(front, job(v1, "frontend"));
    assertEquals(SlurmJobState.RUNNING, slurmJob(decode).state());
    assertEquals(1, state(v1).history().size(), "no new revision: " + state(v1));
    assertEquals(2, fx.jobsOf(v1).size(), "nothing was submitted: " + fx.jobsOf(v1));
  }

  @Test
  void aFrontEndOnlyChangeReplacesTheFrontEndAndAdoptsTheDecodeGroup() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");
    String front = job(v1, "frontend");

    Graph v2 = graph(name, "", ", route_mode: round-robin");
    DeployResult updated = deploy(v2);
    assertEquals(Phase.READY, updated.phase(), updated.message());
    assertEquals(2, updated.revision());
    assertEquals("unchanged", change(updated, "decode"));
    assertTrue(change(updated, "frontend").startsWith("updated"), change(updated, "frontend"));
    assertEquals(decode, job(v2, "decode"), "the decode group was adopted as it runs");
    assertEquals(SlurmJobState.RUNNING, slurmJob(decode).state());
    assertNotEquals(front, job(v2, "frontend"));
    assertTrue(slurmJob(front).state().ended(), slurmJob(front).describe());
    DeployState.Entry live = state(v2).current();
    assertEquals(1, live.components().get("decode").revision(), "decode still runs from rev-1's files");
    assertEquals(2, live.components().get("frontend").revision());
    assertTrue(answers(frontPort));
  }

  @Test
  void aDecodeChangeWithAutoChoosesRecreateBecauseTheClusterHasNoRoom() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");
    String front = job(v1, "frontend");

    DeployResult updated = deploy(graph(name, ", max_batch_size: 16", ""));
    assertEquals(Phase.READY, updated.phase(), updated.message());
    assertTrue(change(updated, "decode").startsWith("updated (recreate): spec changed; auto: recreate, the cluster"
        + " has no room for a second 2x8-GPU allocation"), change(updated, "decode"));
    String why = updated.progress().component("decode").message();
    assertEquals("unchanged", change(updated, "frontend"));
    assertEquals(SlurmJobState.CANCELLED, slurmJob(decode).state(), slurmJob(decode).describe());
    assertNotEquals(decode, job(v1, "decode"));
    assertEquals(front, job(v1, "frontend"));
    assertTrue(answers(leaderPort));
    assertTrue(why.contains("ready") || why.contains("listening"), why);
  }

  @Test
  void aBlueGreenDecodeChangeFailsFastForResourcesAndTheOldRevisionKeepsRunning() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");

    long started = System.nanoTime();
    DeployResult result = blueGreenDecodeChange();
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("PENDING (Resources) for 5s")
        && result.message().contains("use --strategy recreate"), result.message());
    assertTrue(seconds < 100, "failed fast, not after the 2-minute readiness timeout: " + seconds + " s");
    assertEquals(1, result.revision());
    assertEquals(decode, job(v1, "decode"));
    assertEquals(SlurmJobState.RUNNING, slurmJob(decode).state(), "the old revision keeps running");
    assertTrue(answers(leaderPort));
  }

  @Test
  void aBrokenDecodeUpdateWithRecreateRollsBackToThePreviousRevisionWhichAnswersAgain() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");

    DeployResult result = deploy(graph(name, ", exit_code: 7", ""), Map.of(UpdateSettings.STRATEGY, "recreate"));
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    assertTrue(result.message().contains("re-submitted decode"), result.message());
    assertEquals(1, result.revision());
    assertEquals(SlurmJobState.CANCELLED, slurmJob(decode).state(), "recreate stopped the old job");
    String restored = job(v1, "decode");
    assertNotEquals(decode, restored, "revision 1's decode group was re-submitted from its kept files");
    assertEquals(SlurmJobState.RUNNING, slurmJob(restored).state());
    assertTrue(answers(leaderPort), "revision 1 answers again");
    assertEquals(1, state(v1).currentRevision());
    assertEquals(DeployState.Status.ROLLED_BACK, state(v1).entry(2).status());
  }

  /**
   * Operating by name meets per-component updates: after a failed blue/green decode update (rolled back; its
   * revision directory holds a decode job that never ran) and a front-end-only update that reuses that revision
   * number and adopts the decode group as it runs, {@code logs} reads the adopted group's live job from rev-1's
   * directory; {@code uninstall} cancels every live job, the adopted ones included; the next deploy finds nothing
   * unchanged, creates every component again and numbers on after the last revision.
   */
  @Test
  void logsAndUninstallFindTheJobsOfComponentsAdoptedFromAnOlderRevision() throws Exception {
    Graph v1 = deployFirstRevision();
    String decode = job(v1, "decode");
    DeployResult failed = blueGreenDecodeChange();
    assertEquals(Phase.ROLLED_BACK, failed.phase(), failed.message());

    Graph v3 = graph(name, "", ", route_mode: round-robin");
    DeployResult updated = deploy(v3);
    assertEquals(Phase.READY, updated.phase(), updated.message());
    assertEquals("unchanged", change(updated, "decode"));
    int live = updated.revision();
    assertTrue(fx.ssh.readFile(fx.layout(v3).jobIdFile(live, "decode", 0)).isPresent(),
        "the rolled-back attempt left a decode job in rev-" + live + "'s directory, which logs must not read");
    assertEquals(1, state(v3).current().components().get("decode").revision());

    // logs: the adopted group's leader, as it runs from rev-1's files
    TargetSpec spec = new TargetSpec("slurm", location, settings(Map.of()));
    String leaderOutput = fx.layout(v3).output(1, "decode", 0, decode);
    ai.dynamo.deploy.activities.DeployContext ctx = ai.dynamo.deploy.activities.DeployContext.named(name, spec, "");
    List<String> lines = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    do { // the leader is READY, so it has written; a line may still be on its way to the file
      lines.clear();
      target().logs(ctx, new ai.dynamo.deploy.activities.LogRequest("decode", 0, null, 0, -1, false), lines::add);
    } while (lines.isEmpty() && System.nanoTime() < deadline);
    assertFalse(lines.isEmpty(), "no output read from " + leaderOutput);
    String file = fx.ssh.readFile(leaderOutput).orElseThrow();
    assertTrue(file.startsWith(String.join("\n", lines)), "logs read " + leaderOutput + ": " + lines);

    // uninstall: every live job goes, the adopted decode group included
    DeployStarter.Started u = ai.dynamo.deploy.client.DeployUninstall.start(env.client(), name, spec, false,
        "updates-test", null);
    DeployResult gone = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(u.workflowId(), Optional.of(u.runId()), Optional.empty()));
    assertEquals(Phase.UNINSTALLED, gone.phase(), gone.message());
    assertTrue(slurmJob(decode).state().ended(), slurmJob(decode).describe());
    assertTrue(fx.jobsOf(v3).stream().allMatch(j -> j.state().ended()), fx.jobsOf(v3).toString());
    assertEquals(0, state(v3).currentRevision());

    // the next deploy: nothing counts as unchanged against an uninstalled graph; numbered after the last revision
    DeployResult again = deploy(v3);
    assertEquals(Phase.READY, again.phase(), again.message());
    assertEquals(live + 1, again.revision());
    assertTrue(change(again, "decode").startsWith("added"), change(again, "decode"));
    assertTrue(change(again, "frontend").startsWith("added"), change(again, "frontend"));
    assertNotEquals(decode, job(v3, "decode"));
    assertEquals(SlurmJobState.RUNNING, slurmJob(job(v3, "decode")).state());
  }

  @Test
  void diffPlansLikeTheDeployAndNeverShowsASecretValue() throws Exception {
    Graph v1 = deployFirstRevision();

    DeployRequest request = DeployRequest.of(graph(name, ", max_batch_size: 16", ", route_mode: x"),
        new TargetSpec("slurm", location, settings(Map.of())), DeployOptions.defaults("updates-test"));
    DeployDiff diff = DeployDiffs.diff(env.client(), request, java.time.Duration.ofMinutes(2));
    assertEquals(1, diff.plan().liveRevision());
    assertTrue(diff.plan().change("decode").verb().equals("update (recreate)"), diff.plan().toString());
    assertTrue(diff.plan().change("decode").reason().contains("no room for a second 2x8-GPU allocation"),
        diff.plan().change("decode").reason());
    String all = diff.diffs().stream().map(DeployDiff.ComponentDiff::unified).reduce("", String::concat);
    assertTrue(all.contains("--- live/rev-1/frontend-0/frontend-0.sbatch"), all);
    assertTrue(all.contains("DEMO_TOKEN"), "the secret is referenced by name: " + all);
    assertFalse(all.contains(SECRET), all);
    // Payloads as protobuf text: the JSON data of every input and result, readable (the JSON form base64-encodes them).
    for (String id : List.of(diffWorkflowId(name), "deploy/slurm/" + location + "/" + name)) {
      StringBuilder events = new StringBuilder();
      env.client().fetchHistory(id).getEvents().forEach(e -> events.append(e));
      assertFalse(events.toString().contains(SECRET), "secret value in the history of " + id);
      if (id.startsWith("diff/")) assertTrue(events.toString().contains("live/rev-1/"), "the diff is its result");
    }
    assertEquals(1, state(v1).history().size(), "diff records nothing");
  }

  /** The workflow ID of the last diff of graph {@code name} (closed: the Java test server lists it). */
  private String diffWorkflowId(String name) {
    return env.client().getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
            io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                .build())
        .getExecutionsList().stream().map(e -> e.getExecution().getWorkflowId())
        .filter(id -> id.startsWith("diff/") && id.contains("/" + name + "/")).findFirst().orElseThrow();
  }
}
