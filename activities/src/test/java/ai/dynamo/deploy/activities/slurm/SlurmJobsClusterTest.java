package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Sha256;
import ai.dynamo.deploy.testing.FreePorts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Submit, track, probe and cancel real jobs on the local cluster through SSH. */
class SlurmJobsClusterTest {
  ClusterFixture fx;
  SlurmClient slurm;

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("jobs");
    slurm = new SlurmClient(fx.ssh);
  }

  @AfterEach
  void tearDown() throws IOException {
    if (fx != null) fx.close();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String service(String name, int port, String extra) throws IOException {
    return "  - name: " + name + "\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: http, output: dyn}\n"
        + "    parameters: {port: " + port + extra + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n";
  }

  private Graph graph(String name, String components) {
    return fx.graph("version: 1\nname: " + name + "\ncomponents:\n" + components);
  }

  private JobIdentity identity(Graph g, int revision) {
    return new JobIdentity(revision, "deploy/slurm/test/" + g.name(), UUID.randomUUID().toString());
  }

  /** Uploads revision 1 of {@code g} and submits replica 0 of {@code component} alone; returns its job ID. */
  private String uploadAndSubmit(Graph g, RemoteLayout layout, String component) throws IOException {
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, fx.settings(), layout, 1);
    return new JobSubmitter(slurm).submit(g, layout, identity(g, 1), component, 0).jobId();
  }

  private ReadinessCheck.Status waitFor(ReadinessCheck check, Component c, SlurmStage stage, int rev,
      RemoteLayout layout, Map<Integer, String> jobs, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReadinessCheck.Status s;
    do {
      s = check.check(c, stage, rev, layout, jobs);
      if (s.done()) return s;
      Thread.sleep(300);
    } while (System.nanoTime() < deadline);
    return s;
  }

  @Test
  void submittingTwiceOrLosingSbatchsAnswerLeavesExactlyOneJob() throws Exception {
    Graph g = graph(unique("once"), service("web", FreePorts.take(), ""));
    RemoteLayout layout = fx.layout(g);
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, fx.settings(), layout, 1);
    JobIdentity id = identity(g, 1);

    // The connection breaks right after sbatch ran on the cluster: its answer (the job ID) is lost.
    List<String> sbatchRuns = new ArrayList<>();
    RemoteShell breaking = new ForwardingShell(fx.ssh) {
      @Override
      public Result run(String command, Retry retry) throws IOException {
        Result r = super.run(command, retry);
        if (command.contains(" sbatch ") && sbatchRuns.isEmpty()) {
          sbatchRuns.add(r.stdout().strip());
          fx.ssh.dropForTest();
          throw new IOException("connection reset (test) after sbatch");
        }
        return r;
      }
    };
    JobSubmitter.Submitted first = new JobSubmitter(new SlurmClient(breaking)).submit(g, layout, id, "web", 0);
    assertTrue(first.adopted(), "the job sbatch created is found and adopted instead of submitting again");
    assertEquals(sbatchRuns.get(0), first.jobId());

    // An activity retried after a lost response submits again: it adopts too.
    JobSubmitter.Submitted second = new JobSubmitter(slurm).submit(g, layout, id, "web", 0);
    assertEquals(first.jobId(), second.jobId());
    assertTrue(second.adopted());
    assertEquals(1, fx.jobsOf(g).size(), "exactly one job: " + fx.jobsOf(g));
    assertEquals(first.jobId() + "\n", fx.ssh.readFile(layout.jobIdFile(1, "web", 0)).orElseThrow());

    // A different revision of the same graph is a different job.
    fx.ssh.mkdirs(layout.revisionDir(2), 0700);
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, fx.settings(), layout, 2);
    JobSubmitter.Submitted rev2 = new JobSubmitter(slurm).submit(g, layout, identity(g, 2), "web", 0);
    assertFalse(rev2.adopted());
    assertEquals(2, fx.jobsOf(g).size());
  }

  @Test
  void aServiceIsReadyWhenItsPortAnswersOnItsNode() throws Exception {
    int port = FreePorts.take();
    Graph g = graph(unique("ready"), service("web", port, ", startup_delay: 3"));
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "web");
    ReadinessCheck check = new ReadinessCheck(slurm);
    Component web = g.components().get(0);
    ReadinessCheck.Status early = check.check(web, SlurmStage.ALL, 1, layout, Map.of(0, job));
    assertFalse(early.done(), "not ready while loading: " + early);
    ReadinessCheck.Status s = waitFor(check, web, SlurmStage.ALL, 1, layout, Map.of(0, job), Duration.ofSeconds(40));
    assertTrue(s.done(), "ready once the port answers: " + s);
    String log = slurm.tail(layout.output(1, "web", 0, job), 50);
    assertTrue(log.contains("listening on port " + port), log);
  }

  @Test
  void aPendingJobShowsSlurmsReasonAndARefusedScriptFailsWithSbatchsMessage() throws Exception {
    Graph g = graph(unique("pending"), service("web", FreePorts.take(), ""));
    RemoteLayout layout = fx.layout(g);
    Map<String, String> later = new java.util.TreeMap<>(fx.settings());
    later.put("sbatchExtra", "--begin=now+3600");
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, later, layout, 1);
    String job = new JobSubmitter(slurm).submit(g, layout, identity(g, 1), "web", 0).jobId();
    ReadinessCheck.Status s = new ReadinessCheck(slurm).check(g.components().get(0), SlurmStage.ALL, 1, layout,
        Map.of(0, job));
    assertEquals(0, s.ready());
    assertTrue(s.message().contains("job " + job + " ") && s.message().contains("PENDING (BeginTime)"), s.message());

    Graph big = graph(unique("toobig"), service("web", FreePorts.take(), "")
        .replace("resources: {cpu: 1, memory: 128Mi}", "resources: {cpu: 1, memory: 128Mi, gpu: 9}"));
    RemoteLayout bigLayout = fx.layout(big);
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(big, fx.settings(), bigLayout, 1);
    SlurmError e = assertThrows(SlurmError.class,
        () -> new JobSubmitter(slurm).submit(big, bigLayout, identity(big, 1), "web", 0));
    assertEquals(SlurmError.Kind.SUBMIT_REFUSED, e.kind());
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("sbatch web-0/web-0.sbatch refused: sbatch: error:"), e.getMessage());
  }

  @Test
  void aComponentThatExitsAtOnceFailsFastWithTheStateAndTheEndOfItsOutput() throws Exception {
    Graph g = graph(unique("crash"), service("web", FreePorts.take(), ", exit_code: 7"));
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "web");
    ReadinessCheck check = new ReadinessCheck(slurm);
    SlurmError e = assertThrows(SlurmError.class, () -> waitFor(check, g.components().get(0), SlurmStage.ALL, 1,
        layout, Map.of(0, job), Duration.ofSeconds(40)));
    assertEquals(SlurmError.Kind.JOB_FAILED, e.kind());
    // Slurm shows the job COMPLETING (reason NonZeroExitCode) while its steps are cleaned up, then FAILED; the wait
    // fails at whichever it sees first, naming that state.
    assertTrue(e.getMessage().contains("job " + job + " FAILED")
        || e.getMessage().contains("job " + job + " COMPLETING (ending, NonZeroExitCode)"), e.getMessage());
    assertTrue(e.getMessage().contains("exiting at once with status 7"), "the output's last lines: " + e.getMessage());
  }

  /**
   * A job submitted one at a time ({@link JobSubmitter}: a rollback's or cancel's resubmission) writes its output
   * and status owner-only, as the first submission's batch program (umask 077) does: output may hold logs.
   */
  @Test
  void aResubmittedJobsOutputAndStatusAreOwnerOnlyAsTheFirstSubmissions() throws Exception {
    Graph g = graph(unique("modes"), service("web", FreePorts.take(), ", exit_code: 3"));
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "web");
    assertEquals(List.of("600", "600"), fx.outputAndStatusModes(layout, "web", job), "output, then status file");
  }

  @Test
  void aRunningRuleComponentWhoseCommandIsMissingFailsInsteadOfBeingReady() throws Exception {
    // No port, so the rule is "running": the process must run for 5 s. srun cannot start the command at all.
    Graph g = graph(unique("missing"), "  - name: worker\n    cmd: [no-such-command-on-the-node]\n"
        + "    run_config: {input: \"dyn://m.worker.generate\", output: dyn}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n");
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "worker");
    ReadinessCheck check = new ReadinessCheck(slurm);
    SlurmError e = assertThrows(SlurmError.class, () -> waitFor(check, g.components().get(0), SlurmStage.ALL, 1,
        layout, Map.of(0, job), Duration.ofSeconds(40)), "never ready");
    assertEquals(SlurmError.Kind.JOB_FAILED, e.kind(), e.getMessage());
  }

  @Test
  void aGroupStartsItsWorkersOnlyAfterTheLeaderIsReadyAndStartWorkersExists() throws Exception {
    int leaderPort = FreePorts.take();
    Graph g = graph(unique("group"), "  - name: grp\n    cmd: [python3, " + fx.standinPath() + "]\n"
        + "    run_config: {input: 'dyn://x.y.z', output: echo, num_nodes: 2, leader_addr: '127.0.0.1:" + leaderPort
        + "', startup_delay: 1}\n    resources: {cpu: 1, memory: 128Mi}\n");
    RemoteLayout layout = fx.layout(g);
    new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, fx.settings(), layout, 1);
    String job = new JobSubmitter(slurm).submit(g, layout, identity(g, 1), "grp", 0).jobId();
    ReadinessCheck check = new ReadinessCheck(slurm);
    Component grp = g.components().get(0);
    ReadinessCheck.Status leader = waitFor(check, grp, SlurmStage.LEADER, 1, layout, Map.of(0, job), Duration.ofSeconds(40));
    assertTrue(leader.done(), leader.toString());
    assertEquals(0, check.check(grp, SlurmStage.WORKERS, 1, layout, Map.of(0, job)).ready(), "workers wait");
    fx.ssh.writeFile(layout.startWorkersFile(1, "grp", 0), new byte[0], 0600);
    ReadinessCheck.Status workers = waitFor(check, grp, SlurmStage.WORKERS, 1, layout, Map.of(0, job), Duration.ofSeconds(40));
    assertEquals(1, workers.ready(), workers.toString());
    // Workers count as started when their srun step runs; the worker's own log line (in its rank's file) follows.
    String worker = slurm.tail(layout.rankOutput(1, "grp", 0, job, 1), 50);
    for (int i = 0; i < 60 && !worker.contains("answered before this worker started"); i++) {
      Thread.sleep(500);
      worker = slurm.tail(layout.rankOutput(1, "grp", 0, job, 1), 50);
    }
    String log = slurm.tail(layout.output(1, "grp", 0, job), 50);
    int leaderListening = log.indexOf("listening on port " + leaderPort);
    int workersStarted = log.indexOf("workers started");
    assertTrue(leaderListening >= 0 && workersStarted > leaderListening, log);
    assertTrue(worker.contains("worker rank 1: leader ") && worker.contains("answered before this worker started"),
        worker);
  }

  @Test
  void secretsReachTheJobThroughFilesAndNeverACommandLine() throws Exception {
    String value = "s3cr3t-" + UUID.randomUUID() + " $(touch /tmp/pwned) '\"";
    Graph g = graph(unique("secret"), "  - name: check\n    cmd: [bash, -c, 'printf %s \"$DEMO_TOKEN\" | sha256sum', x]\n"
        + "    run_config: {input: 'batch:/dev/null', output: echo}\n    resources: {cpu: 1, memory: 64Mi}\n"
        + "    environment: {DEMO_TOKEN: '${{ secrets.DEMO_TOKEN }}'}\n");
    RemoteLayout layout = fx.layout(g);
    RecordingShell recording = new RecordingShell(fx.ssh);
    WorkerSecretSource source = new WorkerSecretSource(Map.of("DYNAMO_SECRET_DEMO_TOKEN", value), null);
    new RevisionUploader(recording, source).upload(g, fx.settings(), layout, 1);
    SlurmClient recorded = new SlurmClient(recording);
    String job = new JobSubmitter(recorded).submit(g, layout, identity(g, 1), "check", 0).jobId();
    ReadinessCheck.Status s = waitFor(new ReadinessCheck(recorded), g.components().get(0), SlurmStage.ALL, 1, layout,
        Map.of(0, job), Duration.ofSeconds(40));
    assertTrue(s.done(), s.toString());
    String secretFile = layout.secretsDir() + "/DEMO_TOKEN";
    assertEquals("600", fx.ssh.run("stat -c %a " + Shell.quote(secretFile), RemoteShell.Retry.SAFE).stdout().strip());
    assertEquals("700", fx.ssh.run("stat -c %a " + Shell.quote(layout.secretsDir()), RemoteShell.Retry.SAFE).stdout().strip());
    String out = fx.ssh.readFile(layout.output(1, "check", 0, job)).orElseThrow();
    String sha = Sha256.hex(value);
    assertTrue(out.contains(sha), "the job saw the value: " + out);
    assertFalse(out.contains(value));
    assertFalse(recording.seen().isEmpty());
    for (String c : recording.seen()) assertFalse(c.contains("s3cr3t"), "a command carried the secret: " + c);
    String script = fx.ssh.readFile(layout.revisionDir(1) + "/" + layout.script("check", 0)).orElseThrow();
    assertFalse(script.contains("s3cr3t"));
    assertFalse(fx.ssh.run("ls /tmp/pwned", RemoteShell.Retry.SAFE).ok(), "the value was never run");
  }

  @Test
  void aMissingSecretFailsBeforeAnythingIsWritten() throws Exception {
    Graph g = graph(unique("nosecret"), service("web", FreePorts.take(), "")
        + "    environment: {API_KEY: '${{ secrets.API_KEY }}'}\n");
    RemoteLayout layout = fx.layout(g);
    SlurmError e = assertThrows(SlurmError.class, () ->
        new RevisionUploader(fx.ssh, new WorkerSecretSource(Map.of(), null)).upload(g, fx.settings(), layout, 1));
    assertEquals(SlurmError.Kind.SECRET_MISSING, e.kind());
    assertTrue(e.getMessage().contains("DYNAMO_SECRET_API_KEY"), e.getMessage());
    assertTrue(fx.ssh.readFile(layout.revisionDir(1) + "/" + layout.script("web", 0)).isEmpty());
  }

  @Test
  void cancelEndsJobsAndIsIdempotent() throws Exception {
    Graph g = graph(unique("cancel"), service("web", FreePorts.take(), ""));
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "web");
    JobCanceller canceller = new JobCanceller(slurm, d -> sleep(d), Duration.ofSeconds(20));
    assertEquals(List.of(), canceller.cancel(List.of(job)));
    Optional<SlurmJob> after = slurm.jobsById(List.of(job)).stream().findFirst();
    assertTrue(after.isPresent() && after.get().state().ended(), after.toString());
    assertEquals(List.of(), canceller.cancel(List.of(job)), "cancelling again does nothing");
    assertEquals(List.of(), canceller.cancel(List.of("99999999")), "a job Slurm forgot is not an error");
  }

  @Test
  void aJobNoPartOfSlurmRemembersIsGoneNotAnError() throws Exception {
    // squeue and scontrol no longer know it, and this cluster keeps no accounting: sacct says so, which is no error.
    assertEquals(Optional.empty(), slurm.sacctShow("99999998"));
    assertEquals(List.of(), slurm.jobsById(List.of("99999998")));
  }

  @Test
  void theEscalationKillsARunningJob() throws Exception {
    Graph g = graph(unique("kill"), service("web", FreePorts.take(), ""));
    RemoteLayout layout = fx.layout(g);
    String job = uploadAndSubmit(g, layout, "web");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (slurm.jobsById(List.of(job)).get(0).state() != SlurmJobState.RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    slurm.kill(List.of(job));
    while (!slurm.jobsById(List.of(job)).get(0).state().ended() && System.nanoTime() < deadline) Thread.sleep(200);
    assertTrue(slurm.jobsById(List.of(job)).get(0).state().ended());
  }

  @Test
  void theStateFileRoundTripsAtomicallyWithMode0600() throws Exception {
    Graph g = graph(unique("state"), service("web", FreePorts.take(), ""));
    RemoteLayout layout = fx.layout(g);
    DeployStateStore store = new DeployStateStore(fx.ssh, layout);
    assertEquals(0, store.read(g.name()).currentRevision());
    DeployState.Entry e1 = new DeployState.Entry(1, DeployState.Status.READY, Map.of("web-0", "11"), "d1", "wf", "r1",
        "me", 1L, "");
    DeployState.Entry e2 = new DeployState.Entry(2, DeployState.Status.READY, Map.of("web-0", "12"), "d2", "wf", "r2",
        "me", 2L, "");
    store.write(store.read(g.name()).withReady(e1));
    store.write(store.read(g.name()).withReady(e2));
    DeployState s = store.read(g.name());
    assertEquals(2, s.currentRevision());
    assertEquals(DeployState.Status.SUPERSEDED, s.entry(1).status());
    assertEquals("12", s.current().jobs().get("web-0"));
    assertEquals("600", fx.ssh.run("stat -c %a " + Shell.quote(layout.stateFile()), RemoteShell.Retry.SAFE).stdout().strip());
    assertEquals("", fx.ssh.run("ls " + Shell.quote(layout.graphDir()) + " | grep tmp || true",
        RemoteShell.Retry.SAFE).stdout().strip(), "no temporary file left");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
