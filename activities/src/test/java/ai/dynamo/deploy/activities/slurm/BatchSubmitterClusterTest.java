package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The apply program (submit-batch.sh) on the real local cluster: a wave's files and jobs in one remote command, a
 * retry after a lost answer finds the jobs instead of submitting twice, one refused job fails only its component,
 * and secret values travel on stdin only.
 */
class BatchSubmitterClusterTest {
  private static final String SPEC = "0123456789abcdef";
  private ClusterFixture fx;

  @BeforeEach
  void setUp() throws IOException {
    fx = new ClusterFixture("batch");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (fx != null) fx.close();
  }

  private Graph graph(String prefix, String... components) {
    StringBuilder yaml = new StringBuilder("version: 1\nname: " + prefix + "-" + UUID.randomUUID().toString()
        .substring(0, 8) + "\ncomponents:\n");
    for (String c : components) yaml.append(c);
    return fx.graph(yaml.toString());
  }

  private static String sleeper(String name, String extra) {
    // through bash -c: the run_config arguments the renderer appends (in=http out=dyn) land in $1.., which sleep
    // itself would refuse (the job would fail within a second, and the adoption checks would race it)
    return "  - name: " + name + "\n    cmd: [bash, -c, \"exec sleep 300\", sleeper]\n"
        + "    run_config: {input: http, output: dyn}\n    resources: {cpu: 1, memory: 64Mi}\n" + extra;
  }

  private List<BatchSubmitter.Result> submit(RemoteShell shell, SecretSource secrets, Graph g, String wf, String run,
      List<BatchSubmitter.Apply> applies) throws IOException {
    return new BatchSubmitter(shell, secrets, fx.endpoint.display()).submit(g, fx.settings(), fx.layout(g), wf, run,
        SPEC, applies);
  }

  private static List<BatchSubmitter.Apply> all(Graph g, int revision) {
    List<BatchSubmitter.Apply> applies = new ArrayList<>();
    for (Component c : g.components()) applies.add(new BatchSubmitter.Apply(revision, c, ""));
    return applies;
  }

  private static final SecretSource NO_SECRETS = new WorkerSecretSource(Map.of(), null);

  @Test
  void aRetryAfterTheAnswerWasLostFindsTheJobsInsteadOfSubmittingAgain() throws Exception {
    Graph g = graph("lost", sleeper("a", ""), sleeper("b", "    replicas: 2\n"));
    String wf = "deploy/slurm/test/" + g.name();
    String run = UUID.randomUUID().toString();
    List<String> answers = new ArrayList<>();
    RemoteShell losing = new ForwardingShell(fx.ssh) {
      @Override
      public Result run(String command, byte[] stdin, Retry retry) throws IOException {
        Result r = super.run(command, stdin, retry);
        answers.add(r.stdout());
        fx.ssh.dropForTest(); // the program ran to its end on the login node; its answer never arrives
        throw new IOException("connection reset (test) after the apply program ran");
      }
    };
    assertThrows(IOException.class, () -> submit(losing, NO_SECRETS, g, wf, run, all(g, 1)));
    assertEquals(3, answers.get(0).lines().filter(l -> l.startsWith("submitted\t")).count(), answers.get(0));

    List<BatchSubmitter.Result> retried = submit(fx.ssh, NO_SECRETS, g, wf, run, all(g, 1));
    List<String> ids = new ArrayList<>();
    for (BatchSubmitter.Result r : retried) {
      assertNull(r.failure());
      r.jobs().forEach(j -> {
        assertTrue(j.adopted(), "found, not submitted again: " + j);
        ids.add(j.id());
      });
    }
    assertEquals(3, ids.size());
    List<SlurmJob> jobs = fx.jobsOf(g);
    assertEquals(3, jobs.size(), "exactly one job per replica: " + jobs);
    for (SlurmJob j : jobs) assertTrue(answers.get(0).contains("\t" + j.id() + "\n"), j + " in " + answers);
    RemoteLayout layout = fx.layout(g);
    assertEquals(retried.get(1).jobs().get(1).id() + "\n", fx.ssh.readFile(layout.jobIdFile(1, "b", 1)).orElseThrow());
    assertEquals(SPEC, fx.ssh.readFile(layout.revisionDir(1) + "/b.spec-digest").orElseThrow());
    assertEquals("700", fx.ssh.run("stat -c %a " + Shell.quote(layout.revisionDir(1) + "/" + layout.script("a", 0)),
        RemoteShell.Retry.SAFE).stdout().strip(), "the script is executable by its owner only");

    // Another revision of the same deploy is other jobs; another run of the same deploy adopts the live ones.
    List<BatchSubmitter.Result> rev2 = submit(fx.ssh, NO_SECRETS, g, wf, run, List.of(all(g, 2).get(0)));
    assertFalse(rev2.get(0).jobs().get(0).adopted());
    List<BatchSubmitter.Result> rerun = submit(fx.ssh, NO_SECRETS, g, wf, UUID.randomUUID().toString(), all(g, 1));
    assertTrue(rerun.get(0).jobs().get(0).adopted(), "a reset run of the deploy keeps the live jobs");
    assertEquals(4, fx.jobsOf(g).size());
  }

  /** The status file's text once it contains {@code line} (bounded: 40 s). */
  private String statusOnceItHas(String status, String line) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(40).toNanos();
    String text = "";
    while (System.nanoTime() < deadline) {
      text = fx.ssh.readFile(status).orElse("");
      if (text.contains(line)) return text;
      Thread.sleep(200);
    }
    throw new AssertionError("no \"" + line.strip() + "\" line within 40 s in " + status + ":\n" + text);
  }

  @Test
  void aHeldJobStartsNothingUntilAnApplyOfItReleasesItAndARetriedHeldApplyDoesNotHoldItAgain() throws Exception {
    Graph g = graph("held", sleeper("a", ""));
    String wf = "deploy/slurm/test/" + g.name();
    Component a = g.components().get(0);
    RemoteLayout layout = fx.layout(g);
    String status = layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, "a", 0);
    String job = submit(fx.ssh, NO_SECRETS, g, wf, "run-1", List.of(new BatchSubmitter.Apply(1, a, "", true)))
        .get(0).jobs().get(0).id();

    String held = statusOnceItHas(status, " " + job + " held ");
    assertFalse(held.contains(" started"), held);
    // The job's wait wakes at least once a second by itself: well past that, it still has not started.
    Thread.sleep(2500);
    BatchSubmitter.Result again = submit(fx.ssh, NO_SECRETS, g, wf, "run-1",
        List.of(new BatchSubmitter.Apply(1, a, "", true))).get(0);
    assertEquals(job, again.jobs().get(0).id());
    assertTrue(again.jobs().get(0).adopted());
    assertFalse(again.jobs().get(0).released(), "a held apply releases nothing");
    assertFalse(fx.ssh.readFile(status).orElse("").contains(" started"), "still held after a retried held apply");

    BatchSubmitter.Result released = submit(fx.ssh, NO_SECRETS, g, wf, "run-1", all(g, 1)).get(0);
    assertEquals(job, released.jobs().get(0).id(), "the apply of its own wave adopts the held job");
    assertTrue(released.jobs().get(0).released(), released.toString());
    assertFalse(released.current(), "a job released now is not 'already running'");
    String started = statusOnceItHas(status, " " + job + " started ");
    assertTrue(started.indexOf(" held ") < started.indexOf(" started "), started);
    String jobDir = layout.jobDir(1, "a", 0);
    assertEquals("start\n", fx.ssh.readFile(jobDir + "/start").orElseThrow());
    assertTrue(fx.ssh.readFile(jobDir + "/hold").isEmpty(), "the hold is gone");
    assertEquals(1, fx.jobsOf(g).size(), "one job throughout: " + fx.jobsOf(g));
  }

  @Test
  void aJobSubmittedWithoutAHoldStartsAtOnceEvenWhereAnEarlierRunLeftAHoldFile() throws Exception {
    Graph g = graph("stale-hold", sleeper("a", ""));
    RemoteLayout layout = fx.layout(g);
    String jobDir = layout.jobDir(1, "a", 0);
    fx.ssh.run("mkdir -p " + Shell.quote(jobDir) + " && : > " + Shell.quote(jobDir + "/hold"), RemoteShell.Retry.SAFE);
    BatchSubmitter.Job submitted =
        submit(fx.ssh, NO_SECRETS, g, "deploy/slurm/test/" + g.name(), "run-1", all(g, 1)).get(0).jobs().get(0);
    assertFalse(submitted.released(), "submitted now, not released");
    String job = submitted.id();
    String text = statusOnceItHas(layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, "a", 0),
        " " + job + " started ");
    assertFalse(text.contains(" held "), text);
  }

  /** The first submission's output and status files are owner-only (output may hold logs), as a resubmission's. */
  @Test
  void theJobsOutputAndStatusAreOwnerOnly() throws Exception {
    Graph g = graph("modes", sleeper("a", ""));
    String job = submit(fx.ssh, NO_SECRETS, g, "deploy/slurm/test/" + g.name(), "run-1", all(g, 1)).get(0).jobs()
        .get(0).id();
    assertEquals(List.of("600", "600"), fx.outputAndStatusModes(fx.layout(g), "a", job), "output, then status file");
  }

  @Test
  void aRefusedJobFailsOnlyItsComponentNamingTheLoginNodeAndSbatchsMessage() throws Exception {
    Graph g = graph("refused", sleeper("a", ""), sleeper("b", ""), sleeper("c", ""));
    List<BatchSubmitter.Apply> applies = all(g, 1);
    applies.set(1, new BatchSubmitter.Apply(1, g.components().get(1), "nosuchnode7"));
    List<BatchSubmitter.Result> results =
        submit(fx.ssh, NO_SECRETS, g, "deploy/slurm/test/" + g.name(), "run-1", applies);

    assertNull(results.get(0).failure());
    assertNull(results.get(2).failure());
    assertEquals(1, results.get(0).jobs().size());
    assertEquals(1, results.get(2).jobs().size());
    SlurmError failure = results.get(1).failure();
    assertNotNull(failure);
    assertEquals(SlurmError.Kind.SUBMIT_REFUSED, failure.kind());
    assertTrue(failure.getMessage().contains(fx.endpoint.display()), failure.getMessage());
    assertTrue(failure.getMessage().contains(SlurmNames.jobName(g, "b", 0)), failure.getMessage());
    assertTrue(failure.getMessage().toLowerCase().contains("node"), "sbatch's own words: " + failure.getMessage());
    assertEquals(2, fx.jobsOf(g).size(), fx.jobsOf(g).toString());
  }

  @Test
  void secretsGoOnStdinOnlyAndAreWritten0600() throws Exception {
    String value = "s3cr3t-" + UUID.randomUUID() + " $(touch /tmp/pwned-batch) '\"\n\tline two\n";
    byte[] key = {0, 1, 2, (byte) 0xff, '\n', 'k'};
    Graph g = graph("secret", sleeper("a", "    environment: {TOKEN: '${{ secrets.DEMO_TOKEN }}'}\n"
        + "    secrets: [tls]\n"));
    SecretSource source = new SecretSource() {
      @Override
      public java.util.Optional<byte[]> value(String name) {
        return name.equals("DEMO_TOKEN") ? java.util.Optional.of(value.getBytes(StandardCharsets.UTF_8))
            : java.util.Optional.empty();
      }

      @Override
      public java.util.Optional<Map<String, byte[]>> whole(String name) {
        return name.equals("tls") ? java.util.Optional.of(Map.of("key", key)) : java.util.Optional.empty();
      }
    };
    RecordingShell recording = new RecordingShell(fx.ssh);
    List<BatchSubmitter.Result> results = submit(recording, source, g, "deploy/slurm/test/" + g.name(), "run-1",
        all(g, 1));
    assertNull(results.get(0).failure());
    assertFalse(recording.seen().isEmpty());
    for (String c : recording.seen()) {
      assertFalse(c.contains("s3cr3t"), "a command or its output carried the secret: " + c);
    }

    RemoteLayout layout = fx.layout(g);
    String file = layout.secretsDir() + "/DEMO_TOKEN";
    assertEquals(value, fx.ssh.readFile(file).orElseThrow());
    assertEquals("600", fx.ssh.run("stat -c %a " + Shell.quote(file), RemoteShell.Retry.SAFE).stdout().strip());
    assertEquals("700", fx.ssh.run("stat -c %a " + Shell.quote(layout.secretsDir()), RemoteShell.Retry.SAFE)
        .stdout().strip());
    String keyFile = layout.secretsDir() + "/tls/key";
    assertEquals("00 01 02 ff 0a 6b", fx.ssh.run("od -An -tx1 " + Shell.quote(keyFile), RemoteShell.Retry.SAFE)
        .stdout().strip().replaceAll("\\s+", " "), "a binary value arrives byte for byte");
    assertEquals("", fx.ssh.run("ls -A " + Shell.quote(layout.graphDir()) + " | grep -v -e '^rev-' -e '^secrets$'"
        + " -e '^.submit.lock$' || true", RemoteShell.Retry.SAFE).stdout().strip(), "no staging file is left");
    assertFalse(fx.ssh.run("ls /tmp/pwned-batch", RemoteShell.Retry.SAFE).ok(), "the value was never run");
  }
}
