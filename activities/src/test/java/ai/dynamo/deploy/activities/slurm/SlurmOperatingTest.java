package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.testing.FreePorts;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployProgress;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.DeployResult;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionStatus;
import ai.dynamo.deploy.workflows.TargetRecords;
import ai.dynamo.deploy.workflows.TargetSpec;
import ai.dynamo.deploy.client.DeployDecisions;
import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployRecords;
import ai.dynamo.deploy.client.DeployStarter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operating rollouts on the real local Slurm cluster: pause -> retry after the cause is fixed on the cluster,
 * history and {@code rollback --to-revision 1} through the
 * workflows, and no secret value anywhere: not in any Temporal history of the runs, not in the rendered scripts or
 * the state and spec files on the cluster, not in what the worker logged.
 */
@Timeout(240)
class SlurmOperatingTest {
  static final String SECRET = "s3cr3t-" + UUID.randomUUID();

  ClusterFixture fx;
  DeployEnvironment env;
  WorkflowClient client;
  String location;
  final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  PrintStream originalErr;
  PrintStream originalOut;

  @BeforeEach
  void setUp() throws IOException {
    // Capture what the worker logs (slf4j-simple writes to System.err, looked up at every write).
    originalErr = System.err;
    originalOut = System.out;
    System.setErr(new PrintStream(new TeeStream(logs, originalErr), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new TeeStream(logs, originalOut), true, StandardCharsets.UTF_8));
    fx = new ClusterFixture("operating");
    env = DeployEnvironment.serving(new SlurmTarget(new WorkerSecretSource(Map.of("DYNAMO_SECRET_HF_TOKEN", SECRET), null),
        Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(20)));
    client = env.client();
    location = "local-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      if (env != null) env.close();
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
      if (fx != null) fx.close();
    }
  }

  private TargetSpec target() {
    Map<String, String> s = fx.targetSettings();
    return new TargetSpec("slurm", location, s);
  }

  /** One web service on its own port, reading the secret HF_TOKEN. */
  private Graph version(String name, int port) throws IOException {
    return fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
        + "  - name: web\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + port + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n"
        + "    environment:\n      HF_TOKEN: \"${{ secrets.HF_TOKEN }}\"\n");
  }

  private DeployResult deploy(Graph g, String who) {
    DeployRequest request = DeployRequest.of(g, target(),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), who));
    DeployStarter.Started s = DeployStarter.startOrAttach(client, request, Set.of());
    return DeployOutcomes.await(client.newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty()));
  }

  private List<SlurmJob> live(Graph g) throws IOException {
    return fx.jobsOf(g).stream().filter(j -> !j.state().ended()).toList();
  }

  @Test
  void rollbackToRevisionOneRedeploysItExactlyAndNoSecretValueIsAnywhere() throws Exception {
    String name = "ops-" + UUID.randomUUID().toString().substring(0, 8);
    int port1 = FreePorts.take();
    Graph v1 = version(name, port1);
    Graph v2 = version(name, FreePorts.take());
    assertEquals(Phase.READY, deploy(v1, "alice@ws").phase());
    DeployResult second = deploy(v2, "bob@ws");
    assertEquals(Phase.READY, second.phase(), second.message());

    DeployStarter.Started rb = DeployRecords.rollbackTo(client, name, target(), 1,
        DeployOptions.defaults("oncall@ops"), Set.of());
    DeployResult rolled =
        DeployOutcomes.await(client.newUntypedWorkflowStub(rb.workflowId(), Optional.of(rb.runId()), Optional.empty()));
    assertEquals(Phase.READY, rolled.phase(), rolled.message());
    assertEquals(3, rolled.revision());

    // Revision 3 is revision 1 again: its graph and settings, its script (rendered from them), one job on port1.
    RemoteLayout layout = fx.layout(v1);
    List<SlurmJob> running = live(v1);
    assertEquals(1, running.size(), "revision 2's job was replaced: " + fx.jobsOf(v1));
    assertEquals(3, JobIdentity.parse(running.get(0).comment()).revision());
    String script1 = fx.ssh.readFile(layout.revisionDir(1) + "/" + layout.script("web", 0)).orElseThrow();
    String script3 = fx.ssh.readFile(layout.revisionDir(3) + "/" + layout.script("web", 0)).orElseThrow();
    assertEquals(script1.replace("rev-1", "rev-N"), script3.replace("rev-3", "rev-N"));
    assertTrue(script3.contains(String.valueOf(port1)), script3);

    TargetRecords records = DeployRecords.read(client, name, target(), 3);
    List<RevisionEntry> history = records.history();
    assertEquals(List.of(1, 2, 3), history.stream().map(RevisionEntry::revision).toList());
    assertEquals(List.of(RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED, RevisionStatus.READY),
        history.stream().map(RevisionEntry::status).toList());
    assertEquals(List.of("alice@ws", "bob@ws", "oncall@ops"), history.stream().map(RevisionEntry::startedBy).toList());
    assertEquals("rolled back to 1", history.get(2).note());
    assertEquals(v1, records.spec().graph());
    assertEquals(DeployRequest.of(v1, target(), DeployOptions.defaults("")).specDigest(), history.get(2).specDigest());

    // No secret value: not in any history (deploys and record reads), not on the cluster's files, not in the logs.
    var closed = client.getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
            .setMaximumPageSize(100).build());
    assertTrue(closed.getExecutionsCount() >= 5, "3 deploys and 2 record reads: " + closed.getExecutionsCount());
    for (WorkflowExecutionInfo run : closed.getExecutionsList()) {
      String json = client.fetchHistory(run.getExecution().getWorkflowId(), run.getExecution().getRunId()).toJson(false);
      assertFalse(json.contains(SECRET), "secret value in the history of " + run.getExecution().getWorkflowId());
    }
    String files = fx.ssh.run("cat " + Shell.quote(layout.graphDir()) + "/state.json " + Shell.quote(layout.graphDir())
        + "/rev-*/spec.json " + Shell.quote(layout.graphDir()) + "/rev-*/*/*.sbatch", RemoteShell.Retry.SAFE).stdout();
    assertTrue(files.contains("HF_TOKEN") && files.contains("#SBATCH") && files.contains("\"currentRevision\" : 3"),
        "read the files (the secret's name, never its value): " + files.length());
    assertFalse(files.contains(SECRET), "secret value in a rendered script, state.json or spec.json");
    String secretFile = fx.ssh.readFile(layout.graphDir() + "/secrets/HF_TOKEN").orElse("")
        + fx.ssh.run("cat " + Shell.quote(layout.secretsDir()) + "/* 2>/dev/null", RemoteShell.Retry.SAFE).stdout();
    assertTrue(secretFile.contains(SECRET), "the value does reach the cluster, in its 0600 secrets file");
    String logged = logs.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("submitted") || logged.contains(name), "the worker's log was captured");
    assertFalse(logged.contains(SECRET), "secret value in the worker's log");
  }

  @Test
  void aRolledBackFirstInstallLeavesNoSecretFileOnTheCluster() throws Exception {
    String name = "first-" + UUID.randomUUID().toString().substring(0, 8);
    // The program does not exist: the job fails at once, and the first install is rolled back.
    Graph g = fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
        + "  - name: web\n    cmd: [python3, " + fx.ssh.home() + "/" + fx.remoteDir + "/absent/standin.py]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + FreePorts.take() + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n"
        + "    environment:\n      HF_TOKEN: \"${{ secrets.HF_TOKEN }}\"\n");
    DeployResult result = deploy(g, "alice@ws");
    assertEquals(Phase.ROLLED_BACK, result.phase(), result.message());
    RemoteLayout layout = fx.layout(g);
    assertTrue(result.message().contains("the secret files (" + layout.secretsDir() + ") were removed"),
        result.message());
    assertEquals("absent", fx.ssh.run("test -e " + Shell.quote(layout.secretsDir()) + " && echo present || echo absent",
        RemoteShell.Retry.SAFE).stdout().strip(), "the secret files of a rolled-back first install");
    assertTrue(fx.ssh.readFile(layout.graphDir() + "/state.json").isPresent(), "the records stay");
  }

  @Test
  void aPausedDeployIsRetriedOnceTheCauseIsFixedOnTheCluster() throws Exception {
    String name = "pause-" + UUID.randomUUID().toString().substring(0, 8);
    // The program is not on the cluster yet: the job fails at once (python3: can't open file).
    String program = fx.ssh.home() + "/" + fx.remoteDir + "/later/standin.py";
    int port = FreePorts.take();
    Graph g = fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
        + "  - name: web\n    cmd: [python3, " + program + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + port + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
    DeployRequest request = DeployRequest.of(g, target(),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), "alice@ws").pausingOnFailure(null));
    DeployStarter.Started s = DeployStarter.startOrAttach(client, request, Set.of());
    var stub = client.newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty());
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    DeployProgress p;
    while ((p = stub.query("progress", DeployProgress.class)).phase() != Phase.PAUSED) {
      assertTrue(System.nanoTime() < deadline, "never paused: " + p);
      Thread.sleep(300);
    }
    assertTrue(p.message().contains("web: web replica 0: job"), p.message());
    String failedJob = fx.ssh.readFile(fx.layout(g).jobIdFile(1, "web", 0)).orElseThrow().strip();

    // The fix: the program arrives on the cluster. Then retry re-runs web (a new job), and the deploy is READY.
    fx.ssh.mkdirs(program.substring(0, program.lastIndexOf('/')), 0755);
    fx.ssh.writeFile(program, java.nio.file.Files.readAllBytes(
        ClusterFixture.repoRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    DeployDecisions.decide(client, s.workflowId(), "retry");
    DeployResult result = DeployOutcomes.await(stub);
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, result.revision());
    List<SlurmJob> running = live(g);
    assertEquals(1, running.size(), fx.jobsOf(g).toString());
    assertTrue(!running.get(0).id().equals(failedJob), "a new job, not the failed one adopted");
    assertEquals(1, DeployRecords.read(client, name, target(), 0).history().size());
  }

  @Test
  void retryOfAnAbortedDeployKeepsTheRunningJobAndResubmitsOnlyTheFailedOne() throws Exception {
    String name = "resume-" + UUID.randomUUID().toString().substring(0, 8);
    String program = fx.ssh.home() + "/" + fx.remoteDir + "/later/standin.py";
    Graph g = fx.graph("version: 1\nname: " + name + "\ncomponents:\n"
        + "  - name: web\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + FreePorts.take()
        + ", startup_delay: 4}\n    resources: {cpu: 1, memory: 128Mi}\n"
        + "  - name: api\n    cmd: [python3, " + program + "]\n"
        + "    run_config: {input: http, output: dyn}\n    parameters: {port: " + FreePorts.take() + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
    DeployRequest request = DeployRequest.of(g, target(),
        new DeployOptions(Duration.ofMinutes(2), Duration.ofMinutes(2), "alice@ws").pausingOnFailure(null));
    DeployStarter.Started s = DeployStarter.startOrAttach(client, request, Set.of());
    var first = client.newUntypedWorkflowStub(s.workflowId(), Optional.of(s.runId()), Optional.empty());
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (first.query("progress", DeployProgress.class).phase() != Phase.PAUSED) {
      assertTrue(System.nanoTime() < deadline, "never paused");
      Thread.sleep(300);
    }
    DeployDecisions.decide(client, s.workflowId(), "abort");
    assertEquals(Phase.FAILED, DeployOutcomes.await(first).phase());
    RemoteLayout layout = fx.layout(g);
    String webJob = fx.ssh.readFile(layout.jobIdFile(1, "web", 0)).orElseThrow().strip();
    String failedApiJob = fx.ssh.readFile(layout.jobIdFile(1, "api", 0)).orElseThrow().strip();
    String webScript = Shell.quote(layout.revisionDir(1) + "/" + layout.script("web", 0));
    String webUploaded = fx.ssh.run("stat -c %Y.%N " + webScript, RemoteShell.Retry.SAFE).stdout().strip();
    Thread.sleep(1100); // a re-upload would show in the modification time (1 s resolution)

    fx.ssh.mkdirs(program.substring(0, program.lastIndexOf('/')), 0755);
    fx.ssh.writeFile(program, java.nio.file.Files.readAllBytes(
        ClusterFixture.repoRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    DeployDecisions.Outcome retried = DeployDecisions.retry(client, s.workflowId(), "oncall@ops", Set.of());
    assertTrue(retried.newRun());
    DeployResult result = DeployOutcomes.await(
        client.newUntypedWorkflowStub(s.workflowId(), Optional.of(retried.runId()), Optional.empty()));
    assertEquals(Phase.READY, result.phase(), result.message());
    assertEquals(1, result.revision());
    // web's job from the aborted run still serves (checked, not submitted again); api got a new job.
    List<String> webJobs = fx.jobsOf(g).stream().filter(j -> j.name().endsWith(".web.0")).map(SlurmJob::id).toList();
    assertEquals(List.of(webJob), webJobs);
    assertEquals(webUploaded, fx.ssh.run("stat -c %Y.%N " + webScript, RemoteShell.Retry.SAFE).stdout().strip(),
        "web was checked (isCurrent), not applied again: its script was not uploaded again");
    String apiJob = fx.ssh.readFile(layout.jobIdFile(1, "api", 0)).orElseThrow().strip();
    assertTrue(!apiJob.equals(failedApiJob), "api resubmitted");
    assertEquals(2, live(g).size(), fx.jobsOf(g).toString());
  }

  /** Writes to two streams: the capture and the console. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
