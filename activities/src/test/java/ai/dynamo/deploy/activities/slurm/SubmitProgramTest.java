package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit-batch.sh run locally with stand-ins for squeue and sbatch (no cluster needed): its choice of the job to
 * adopt agrees with {@link JobSubmitter#pick} on every case of the rule, and it submits only what it did not find.
 */
class SubmitProgramTest {
  private static final String WF = "deploy/slurm/test/prog";
  private static final String RUN = "run-A";

  @TempDir
  Path home;

  /** Runs commands on this machine with the stand-ins first on the PATH. */
  private final class LocalShell implements RemoteShell {
    @Override
    public Result run(String command, Retry retry) throws IOException {
      return run(command, new byte[0], retry);
    }

    @Override
    public Result run(String command, byte[] stdin, Retry retry) throws IOException {
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", command);
      pb.environment().put("PATH", home.resolve("bin") + ":" + System.getenv("PATH"));
      pb.environment().put("FAKE_DIR", home.toString());
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        return new Result(p.waitFor(), out, err);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void mkdirs(String path, int mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void writeFile(String path, byte[] content, int mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<String> readFile(String path) throws IOException {
      Path p = Path.of(path);
      return Files.exists(p) ? Optional.of(Files.readString(p)) : Optional.empty();
    }

    @Override
    public String home() {
      return home.toString();
    }
  }

  private void standIns(String squeueLines) throws IOException {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("squeue.out"), squeueLines);
    // The look-up prints the listed jobs; a wait for cancelled jobs (--jobs=) sees them CANCELLED.
    script(bin.resolve("squeue"), "case \"$*\" in *--jobs=*) for id in $(cat \"$FAKE_DIR/scancel.log\"); do"
        + " echo \"$id CANCELLED\"; done ;; *) cat \"$FAKE_DIR/squeue.out\" ;; esac\n");
    script(bin.resolve("scancel"), "for id in \"$@\"; do echo \"$id\" >> \"$FAKE_DIR/scancel.log\"; done\n");
    // Each submission gets the next id from 900 up and is logged with its arguments.
    script(bin.resolve("sbatch"), "n=$(wc -l < \"$FAKE_DIR/sbatch.log\" 2>/dev/null || echo 0)\n"
        + "echo \"$*\" >> \"$FAKE_DIR/sbatch.log\"\necho \"$((900 + n));local\"\n");
  }

  private static void script(Path p, String body) throws IOException {
    Files.writeString(p, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
  }

  private static Graph graph() {
    LoadResult r = GraphLoader.load("g.yaml", "version: 1\nname: prog\ncomponents:\n"
        + "  - name: web\n    cmd: [sleep, \"1\"]\n    run_config: {input: http, output: dyn}\n"
        + "    resources: {cpu: 1, memory: 64Mi}\n", Target.SLURM);
    if (!r.ok()) throw new IllegalStateException(r.errors().toString());
    return r.graph();
  }

  private BatchSubmitter.Result submitWith(Graph g, String squeueLines) throws IOException {
    standIns(squeueLines);
    RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
    return new BatchSubmitter(new LocalShell(), new WorkerSecretSource(Map.of(), null), "local")
        .submit(g, Map.of("partition", "debug"), layout, WF, RUN, "digest",
            List.of(new BatchSubmitter.Apply(1, g.components().get(0), ""))).get(0);
  }

  @Test
  void theProgramAdoptsExactlyTheJobJobSubmitterWouldPick() throws IOException {
    Graph g = graph();
    String name = SlurmNames.jobName(g, "web", 0);
    String ours = "dynamo-deploy rev=1 wf=" + WF + " run=" + RUN;
    String otherRun = "dynamo-deploy rev=1 wf=" + WF + " run=run-B";
    List<List<String>> cases = List.of(
        List.of("11|" + name + "|RUNNING|" + otherRun), // live, another run of the deploy: adopted
        List.of("12|" + name + "|COMPLETED|" + ours), // ended well in this run: adopted
        List.of("13|" + name + "|FAILED|" + ours), // failed: submitted anew
        List.of("14|" + name + "|CANCELLED|" + otherRun), // ended in another run: submitted anew
        List.of("15|" + name + "|PENDING|dynamo-deploy rev=2 wf=" + WF + " run=" + RUN), // another revision
        List.of("16|" + name + "|RUNNING|dynamo-deploy rev=1 wf=deploy/other run=" + RUN), // another deploy
        List.of("17|" + name + "|RUNNING|someone else's job"),
        List.of("18|" + name + "|COMPLETING|" + otherRun), // on its way out but not ended
        List.of("19|" + name + "|RUNNING|" + otherRun, "27|" + name + "|PENDING|" + ours, "5|" + name
            + "|FAILED|" + ours), // the newest live one
        List.of("20_3|" + name + "|RUNNING|" + ours),
        List.of("21|" + name + "|NEW_STATE_FROM_A_LATER_SLURM|" + ours)); // unknown: not ended, adopted
    for (List<String> lines : cases) {
      Files.deleteIfExists(home.resolve("sbatch.log"));
      Files.deleteIfExists(home.resolve("scancel.log"));
      // squeue is asked only once a revision was applied; this earlier apply was of another spec.
      digestWritten(g, "web", "an earlier apply's spec");
      List<SlurmJob> jobs = new ArrayList<>();
      for (String l : lines) {
        String[] f = l.split("\\|", 4);
        jobs.add(new SlurmJob(f[0], f[1], SlurmJobState.parse(f[2]), f[2], "", "", f[3]));
      }
      Optional<SlurmJob> pick = JobSubmitter.pick(jobs, name, new JobIdentity(1, WF, RUN));
      BatchSubmitter.Result r = submitWith(g, String.join("\n", lines) + "\n");
      assertNull(r.failure(), lines.toString());
      BatchSubmitter.Job job = r.jobs().get(0);
      if (pick.isPresent() && !pick.get().state().ended()) {
        // The job this revision has runs the other spec: cancelled and replaced, never adopted.
        assertEquals(new BatchSubmitter.Job("900", false, pick.get().id()), job, lines.toString());
        assertEquals(pick.get().id() + "\n", Files.readString(home.resolve("scancel.log")), lines.toString());
      } else if (pick.isPresent()) {
        assertEquals(new BatchSubmitter.Job(pick.get().id(), true), job, lines.toString());
        assertFalse(Files.exists(home.resolve("sbatch.log")), "nothing submitted: " + lines);
      } else {
        assertEquals(new BatchSubmitter.Job("900", false), job, lines.toString());
        String args = Files.readString(home.resolve("sbatch.log"));
        assertTrue(args.contains("--comment=" + ours) && args.contains("web-0/"), args);
      }
      RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
      assertEquals(job.id() + "\n", Files.readString(Path.of(layout.jobIdFile(1, "web", 0))));
    }
  }

  private static Graph twoComponents() {
    LoadResult r = GraphLoader.load("g.yaml", "version: 1\nname: prog\ncomponents:\n"
        + "  - name: web\n    cmd: [sleep, \"1\"]\n    run_config: {input: http, output: dyn}\n"
        + "    resources: {cpu: 1, memory: 64Mi}\n"
        + "  - name: db\n    cmd: [sleep, \"1\"]\n    run_config: {input: http, output: dyn}\n"
        + "    resources: {cpu: 1, memory: 64Mi}\n    replicas: 2\n", Target.SLURM);
    if (!r.ok()) throw new IllegalStateException(r.errors().toString());
    return r.graph();
  }

  /** @param squeueLines null: keep the stand-ins as they are */
  private List<BatchSubmitter.Result> submitAll(Graph g, String squeueLines) throws IOException {
    if (squeueLines != null) standIns(squeueLines);
    RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
    List<BatchSubmitter.Apply> applies = g.components().stream().map(c -> new BatchSubmitter.Apply(1, c, "")).toList();
    return new BatchSubmitter(new LocalShell(), new WorkerSecretSource(Map.of(), null), "local")
        .submit(g, Map.of("partition", "debug"), layout, WF, RUN, "digest", applies);
  }

  /** What an earlier run left: the component's spec digest for revision 1 (and nothing else of it). */
  private void digestWritten(Graph g, String component, String digest) throws IOException {
    Path file = Path.of(new RemoteLayout(home.toString(), "deploys", g).specDigestFile(1, component));
    Files.createDirectories(file.getParent());
    Files.writeString(file, digest);
  }

  private Path script(Graph g, String component) {
    RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
    return Path.of(layout.revisionDir(1), layout.script(component, 0));
  }

  @Test
  void aComponentRunningThisSpecIsCurrentAndNothingIsWritten() throws IOException {
    Graph g = graph();
    digestWritten(g, "web", "digest");
    String otherRun = "dynamo-deploy rev=1 wf=" + WF + " run=run-B"; // the run a retried deploy replaces
    BatchSubmitter.Result r = submitWith(g, "31|" + SlurmNames.jobName(g, "web", 0) + "|RUNNING|" + otherRun + "\n");
    assertNull(r.failure());
    assertTrue(r.current(), "same spec, live job: current");
    assertEquals(List.of(new BatchSubmitter.Job("31", true)), r.jobs());
    assertFalse(Files.exists(home.resolve("sbatch.log")), "nothing submitted");
    assertFalse(Files.exists(script(g, "web")), "nothing written when the whole batch is current");
  }

  @Test
  void notCurrentWhenTheDigestDiffersOrIsMissingOrTheJobHasEnded() throws IOException {
    Graph g = graph();
    String name = SlurmNames.jobName(g, "web", 0);
    String ours = "dynamo-deploy rev=1 wf=" + WF + " run=" + RUN;
    // {digest file content or null, squeue line, adopted id or null for a new submission}
    String[][] cases = {
        // A reused revision number whose live job runs another spec: cancelled and replaced (below), not adopted.
        {"another-spec", "41|" + name + "|RUNNING|" + ours, null},
        // No digest: the revision was never applied (an apply writes it before its first sbatch), so squeue is not
        // even asked and the job is submitted; this listed job could only exist if someone removed the file.
        {null, "42|" + name + "|RUNNING|" + ours, null},
        {"digest", "43|" + name + "|COMPLETED|" + ours, "43"}, // ended well in this run: adopted but not live
        {"digest", "44|" + name + "|FAILED|" + ours, null}, // failed: submitted anew
    };
    for (String[] c : cases) {
      Files.walk(home).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(home))
          .forEach(p -> p.toFile().delete());
      if (c[0] != null) digestWritten(g, "web", c[0]);
      BatchSubmitter.Result r = submitWith(g, c[1] + "\n");
      String what = String.join(" / ", java.util.Arrays.asList(c));
      assertNull(r.failure(), what);
      assertFalse(r.current(), what);
      BatchSubmitter.Job expected = c[2] == null ? new BatchSubmitter.Job("900", false)
          : new BatchSubmitter.Job(c[2], true);
      assertEquals(expected.id(), r.jobs().get(0).id(), what);
      assertEquals(expected.adopted(), r.jobs().get(0).adopted(), what);
      assertTrue(Files.exists(script(g, "web")), "files written: " + what);
      RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
      assertEquals("digest", Files.readString(Path.of(layout.specDigestFile(1, "web"))), what);
    }
  }

  @Test
  void aLiveJobOfThisRevisionRunningAnotherSpecIsCancelledAndReplacedNotAdopted() throws IOException {
    // A run deploying spec X as revision 1 was lost with its job live; a run of spec "digest" now applies revision 1.
    Graph g = graph();
    digestWritten(g, "web", "spec X");
    String lost = "dynamo-deploy rev=1 wf=" + WF + " run=run-lost";
    BatchSubmitter.Result r = submitWith(g, "61|" + SlurmNames.jobName(g, "web", 0) + "|RUNNING|" + lost + "\n");
    assertNull(r.failure());
    assertFalse(r.current());
    assertEquals(List.of(new BatchSubmitter.Job("900", false, "61")), r.jobs());
    assertEquals("61\n", Files.readString(home.resolve("scancel.log")), "the stale job is cancelled");
    assertEquals(1, Files.readAllLines(home.resolve("sbatch.log")).size(), "and a job of this spec submitted");
    RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
    assertEquals("digest", Files.readString(Path.of(layout.specDigestFile(1, "web"))));
    assertEquals("900\n", Files.readString(Path.of(layout.jobIdFile(1, "web", 0))));
  }

  @Test
  void inAMixedBatchTheCurrentComponentSaysSoAndTheOthersAreApplied() throws IOException {
    Graph g = twoComponents();
    digestWritten(g, "web", "digest");
    digestWritten(g, "db", "digest");
    String ours = "dynamo-deploy rev=1 wf=" + WF + " run=" + RUN;
    // web runs; db has one live replica of two: not current, its missing replica is submitted.
    List<BatchSubmitter.Result> r = submitAll(g, "51|" + SlurmNames.jobName(g, "web", 0) + "|RUNNING|" + ours
        + "\n52|" + SlurmNames.jobName(g, "db", 0) + "|PENDING|" + ours + "\n");
    assertTrue(r.get(0).current());
    assertEquals(List.of(new BatchSubmitter.Job("51", true)), r.get(0).jobs());
    assertFalse(r.get(1).current());
    assertEquals(List.of(new BatchSubmitter.Job("52", true), new BatchSubmitter.Job("900", false)), r.get(1).jobs());
    assertTrue(Files.exists(script(g, "db")), "the batch is written: db needs its files");
    assertFalse(Files.exists(script(g, "web")), "but not the current component's files");
    assertEquals(1, Files.readAllLines(home.resolve("sbatch.log")).size(), "only db's second replica submitted");
  }

  @Test
  void aFirstApplyOfARevisionAsksNoSqueue() throws IOException {
    Graph g = twoComponents();
    standIns("");
    script(home.resolve("bin/squeue"), "echo called >> \"$FAKE_DIR/squeue.log\"\n");
    List<BatchSubmitter.Result> r = submitAll(g, null);
    assertEquals(3, Files.readAllLines(home.resolve("sbatch.log")).size(), "every replica submitted");
    assertFalse(r.get(0).jobs().get(0).adopted());
    assertEquals(2, r.get(1).jobs().size());
    assertFalse(Files.exists(home.resolve("squeue.log")), "no spec-digest file yet: no job can exist, no squeue");
    // Once one component of the batch has one, the batch asks.
    Files.delete(home.resolve("sbatch.log"));
    submitAll(g, null);
    assertEquals(1, Files.readAllLines(home.resolve("squeue.log")).size());
  }

  @Test
  void aFailingSqueueSubmitsNothing() throws IOException {
    Graph g = graph();
    standIns("");
    digestWritten(g, "web", "digest");
    script(home.resolve("bin/squeue"), "echo 'slurm_load_jobs error: Unable to contact slurm controller' >&2\nexit 1\n");
    RemoteLayout layout = new RemoteLayout(home.toString(), "deploys", g);
    SlurmError e = org.junit.jupiter.api.Assertions.assertThrows(SlurmError.class, () ->
        new BatchSubmitter(new LocalShell(), new WorkerSecretSource(Map.of(), null), "login.example:22")
            .submit(g, Map.of("partition", "debug"), layout, WF, RUN, "digest",
                List.of(new BatchSubmitter.Apply(1, g.components().get(0), ""))));
    assertTrue(e.getMessage().contains("login.example:22") && e.getMessage().contains("Unable to contact"),
        e.getMessage());
    assertFalse(Files.exists(home.resolve("sbatch.log")), "without the look-up nothing may be submitted");
  }
}
