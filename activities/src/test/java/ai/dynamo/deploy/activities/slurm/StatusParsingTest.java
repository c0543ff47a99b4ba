package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Status lines, tail -F's output, a job's report, and the readiness rules over what the jobs pushed. */
class StatusParsingTest {

  @Test
  void statusLinesAreTimeJobStateDetail() {
    JobStatusLine l = JobStatusLine.parse("2026-11-29T03:20:01.123Z 42 exited 7\n").orElseThrow();
    assertEquals(Instant.parse("2026-11-29T03:20:01.123Z"), l.time());
    assertEquals("42", l.jobId());
    assertEquals("exited", l.state());
    assertEquals("7", l.detail());
    assertEquals("", JobStatusLine.parse("2026-11-29T03:20:01Z 42_3 ready").orElseThrow().detail());
    assertEquals("42_3", JobStatusLine.parse("2026-11-29T03:20:01Z 42_3 ready").orElseThrow().jobId());
    for (String bad : List.of("", "2026-11-29T03:20:01.1", "ready", "2026-11-29T03:20:01Z abc ready",
        "2026-13-45T03:20:01Z 42 ready", "tail: 'x' has appeared;  following new file")) {
      assertTrue(JobStatusLine.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void tailOutputIsAttributedToItsFileAndEachLineHandedOutOnce() {
    TailFollowParser p = new TailFollowParser();
    List<TailFollowParser.Event> events = new ArrayList<>();
    String first = """
        tail: cannot open '/d/rev-1/b-0/status' for reading: No such file or directory
        ==> /d/rev-1/a-0/status <==
        2026-11-29T03:20:01.000Z 41 started on node1
        2026-11-29T03:20:02.000Z 41 ready
        tail: '/d/rev-1/b-0/status' has appeared;  following new file

        ==> /d/rev-1/b-0/status <==
        2026-11-29T03:20:03.000Z 42 started leader on node2
        tail: /d/rev-1/b-0/status: file truncated
        """;
    first.lines().forEach(l -> p.accept(l).ifPresent(events::add));
    assertEquals(3, events.size());
    assertEquals("/d/rev-1/a-0/status", events.get(0).file());
    assertEquals("/d/rev-1/b-0/status", events.get(2).file());
    assertEquals("leader on node2", events.get(2).line().detail());

    // A restarted tail (after a reconnect) prints both files from the first line: only the new lines come out.
    p.restart();
    events.clear();
    String again = """
        2026-11-29T03:20:09.000Z 99 ready
        ==> /d/rev-1/a-0/status <==
        2026-11-29T03:20:01.000Z 41 started on node1
        2026-11-29T03:20:02.000Z 41 ready
        2026-11-29T03:20:05.000Z 41 unready

        ==> /d/rev-1/b-0/status <==
        2026-11-29T03:20:03.000Z 42 started leader on node2
        2026-11-29T03:20:04.000Z 42 workers-started on node3
        """;
    again.lines().forEach(l -> p.accept(l).ifPresent(events::add));
    assertEquals(List.of("unready", "workers-started"), events.stream().map(e -> e.line().state()).toList(),
        "a line before any header has no file and is dropped; seen lines are not repeated");
  }

  @Test
  void aFileThatAppearsLaterIsNamedByTailsMessageWhenNoHeaderFollows() {
    TailFollowParser p = new TailFollowParser();
    List<TailFollowParser.Event> events = new ArrayList<>();
    String out = """
        tail: cannot open '/d/rev-2/web-0/status' for reading: No such file or directory
        tail: '/d/rev-2/web-0/status' has appeared;  following new file
        2026-11-29T03:20:01.000Z 41 started on node1
        tail: '/d/rev-2/web-0/status' has been replaced;  following new file
        2026-11-29T03:21:01.000Z 42 started on node2
        """;
    out.lines().forEach(l -> p.accept(l).ifPresent(events::add));
    assertEquals(List.of("41", "42"), events.stream().map(e -> e.line().jobId()).toList());
    assertEquals("/d/rev-2/web-0/status", events.get(0).file());
  }

  @Test
  void aReportFoldsTheJobsLines() {
    JobReport r = JobReport.empty("7");
    assertFalse(r.started() || r.ready() || r.ended());
    r = r.with(line("7 started on node1")).with(line("7 unready"));
    assertTrue(r.started());
    assertFalse(r.ready());
    r = r.with(line("7 ready"));
    assertTrue(r.ready());
    assertEquals(Instant.parse("2026-11-29T03:20:00Z"), r.readySince());
    r = r.with(line("7 workers-started on node2")).with(line("7 something-new"));
    assertTrue(r.ready() && r.workersStarted(), "an unknown state changes nothing");
    JobReport ended = r.with(line("7 exited 3"));
    assertTrue(ended.ended());
    assertFalse(ended.ready());
    assertEquals(3, ended.exitStatus());
    // The watcher may still write as the job's processes are stopped: the end and its line stay.
    JobReport late = ended.with(line("7 unready")).with(line("7 ready")).with(line("7 started on node1"));
    assertTrue(late.ended());
    assertFalse(late.ready());
    assertEquals(3, late.exitStatus());
    assertEquals("exited", late.lastLine().state());
    JobReport failed = r.with(line("7 failed secret file /s/x is missing"));
    assertEquals(-1, failed.exitStatus());
    assertEquals("secret file /s/x is missing", failed.failure());
  }

  private static JobStatusLine line(String rest) {
    return JobStatusLine.parse("2026-11-29T03:20:00Z " + rest).orElseThrow();
  }

  // ---- the readiness rules over pushed state ----------------------------------------------------------------

  private static final String GRAPH = """
      version: 1
      name: g
      components:
        - name: web
          cmd: [serve]
          run_config: {input: http, output: dyn}
          parameters: {port: 19001}
        - name: grp
          cmd: [serve]
          run_config: {input: 'dyn://g.grp.generate', output: echo, num_nodes: 3}
        - name: job
          cmd: [run]
          run_config: {input: 'batch:/data', output: dyn}
      """;

  private final Graph graph = load();
  private final List<String> commands = new ArrayList<>();
  private final ReadinessCheck check = new ReadinessCheck(new SlurmClient(new RemoteShell() {
    @Override
    public Result run(String command, Retry retry) {
      commands.add(command);
      return new Result(0, "last output line\n", "");
    }

    @Override
    public void mkdirs(String path, int mode) {}

    @Override
    public void writeFile(String path, byte[] content, int mode) {}

    @Override
    public Optional<String> readFile(String path) {
      return Optional.empty();
    }

    @Override
    public String home() {
      return "/home/u";
    }
  }));

  private static Graph load() {
    LoadResult r = GraphLoader.load("g.yaml", GRAPH, Target.SLURM);
    if (!r.ok()) throw new IllegalStateException(r.errors().toString());
    return r.graph();
  }

  private ReadinessCheck.Status evaluate(String component, SlurmStage stage, List<String> lines,
      Map<String, SlurmJob> squeued, Set<String> gone) throws Exception {
    Map<String, JobReport> reports = new HashMap<>();
    for (String l : lines) {
      JobStatusLine s = line(l);
      reports.put(s.jobId(), reports.getOrDefault(s.jobId(), JobReport.empty(s.jobId())).with(s));
    }
    StatusFollower.Snapshot seen = new StatusFollower.Snapshot(1, reports, squeued, gone, 1, 1, lines.size(), null);
    return check.evaluate(graph.components().stream().filter(c -> c.name().equals(component)).findFirst().orElseThrow(), stage, 1, new RemoteLayout("/home/u", null, graph),
        Map.of(0, "5"), seen);
  }

  private static SlurmJob job(String state, String reason) {
    return new SlurmJob("5", "g.x.0", SlurmJobState.parse(state), state, "node1", reason, "");
  }

  @Test
  void aServiceIsReadyWhenItsLastVerdictIsReady() throws Exception {
    assertEquals(0, evaluate("web", SlurmStage.ALL, List.of("5 started on node1", "5 unready"), Map.of(), Set.of()).ready());
    ReadinessCheck.Status s = evaluate("web", SlurmStage.ALL, List.of("5 started on node1", "5 unready", "5 ready"),
        Map.of(), Set.of());
    assertTrue(s.done(), s.message());
    ReadinessCheck.Status back = evaluate("web", SlurmStage.ALL, List.of("5 ready", "5 unready"), Map.of(), Set.of());
    assertFalse(back.done());
    assertTrue(back.message().contains("waiting for port 19001"), back.message());
    ReadinessCheck.Status pending = evaluate("web", SlurmStage.ALL, List.of(), Map.of("5", job("PENDING", "Resources")),
        Set.of());
    assertEquals("Resources", pending.pendingReason());
    assertTrue(pending.message().contains("is PENDING") && pending.message().contains("(Resources)"), pending.message());
    assertTrue(commands.isEmpty(), "nothing is asked of the cluster while all is well: " + commands);
  }

  @Test
  void aGroupsLeaderThenItsWorkers() throws Exception {
    List<String> leaderUp = List.of("5 started leader on node1", "5 unready", "5 ready");
    assertEquals(1, evaluate("grp", SlurmStage.LEADER, leaderUp, Map.of(), Set.of()).ready());
    ReadinessCheck.Status workers = evaluate("grp", SlurmStage.WORKERS, leaderUp, Map.of(), Set.of());
    assertEquals(0, workers.ready());
    assertEquals(2, workers.desired());
    List<String> all = new ArrayList<>(leaderUp);
    all.add("5 workers-started on node2 node3");
    assertTrue(evaluate("grp", SlurmStage.WORKERS, all, Map.of(), Set.of()).done());
  }

  @Test
  void aBatchJobIsDoneWhenItExitedZeroOrSlurmSaysCompleted() throws Exception {
    assertFalse(evaluate("job", SlurmStage.ALL, List.of("5 started on node1"), Map.of(), Set.of()).done());
    assertTrue(evaluate("job", SlurmStage.ALL, List.of("5 started on node1", "5 exited 0"), Map.of(), Set.of()).done());
    assertTrue(evaluate("job", SlurmStage.ALL, List.of(), Map.of("5", job("COMPLETED", "None")), Set.of()).done());
    SlurmError e = assertThrows(SlurmError.class,
        () -> evaluate("job", SlurmStage.ALL, List.of("5 exited 2"), Map.of(), Set.of()));
    assertTrue(e.getMessage().contains("exited with status 2") && e.getMessage().contains("last output line"),
        e.getMessage());
  }

  @Test
  void aServiceThatEndsFailsHoweverItIsNoticed() throws Exception {
    SlurmError wrote = assertThrows(SlurmError.class,
        () -> evaluate("web", SlurmStage.ALL, List.of("5 ready", "5 exited 0"), Map.of(), Set.of()));
    assertTrue(wrote.getMessage().contains("a service must not end"), wrote.getMessage());
    SlurmError silent = assertThrows(SlurmError.class,
        () -> evaluate("web", SlurmStage.ALL, List.of("5 ready"), Map.of("5", job("CANCELLED", "None")), Set.of()));
    assertTrue(silent.getMessage().contains("job 5 CANCELLED"), silent.getMessage());
    SlurmError gone = assertThrows(SlurmError.class,
        () -> evaluate("web", SlurmStage.ALL, List.of("5 ready"), Map.of(), Set.of("5")));
    assertTrue(gone.getMessage().contains("no longer known to Slurm"), gone.getMessage());
    SlurmError setup = assertThrows(SlurmError.class,
        () -> evaluate("web", SlurmStage.ALL, List.of("5 failed secret file /s/T is missing"), Map.of(), Set.of()));
    assertTrue(setup.getMessage().contains("secret file /s/T is missing"), setup.getMessage());
    assertEquals(SlurmError.Kind.JOB_FAILED, setup.kind());
  }
}
