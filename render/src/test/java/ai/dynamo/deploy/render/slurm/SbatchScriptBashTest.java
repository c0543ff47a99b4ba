package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.ComponentProcess;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendered scripts under real bash, without Slurm: a stand-in {@code srun} runs the step's command here. */
class SbatchScriptBashTest {
  @TempDir Path tmp;

  /** srun stand-in: drops srun's options up to {@code --} and runs the rest. */
  private static final String FAKE_SRUN = """
      #!/bin/bash
      while (( $# > 0 )) && [[ "$1" != -- ]]; do shift; done
      shift
      exec "$@"
      """;

  @Test
  void bashAcceptsEveryRenderedScript() throws Exception {
    InjectionCorpus corpus = new InjectionCorpus();
    List<Rendering> all = new java.util.ArrayList<>(SlurmExamples.renderAll(SlurmRendererTest.SETTINGS).values());
    all.add(SlurmRenderer.render(SlurmTestGraphs.mixed(), SlurmRendererTest.SETTINGS));
    all.add(SlurmRenderer.render(corpus.graph(Path.of("/opt/record")), Map.of()));
    for (Rendering r : all) {
      for (RenderedFile f : r.files()) {
        Path script = tmp.resolve(f.relativePath().replace('/', '_'));
        Files.writeString(script, f.content());
        Result res = run(new ProcessBuilder("bash", "-n", script.toString()), 30);
        assertEquals(0, res.exit(), f.relativePath() + ": " + res.stderr());
      }
    }
  }

  @Test
  void injectionCorpusArrivesLiterallyUnderBash() throws Exception {
    InjectionCorpus corpus = new InjectionCorpus();
    Path recorder = executable(tmp.resolve("record.sh"), InjectionCorpus.recorderScript());
    Graph graph = corpus.graph(recorder);
    Path out = Files.createDirectories(tmp.resolve("out"));
    Result res = runRendered(graph, Map.of("DYN_TEST_OUT", out.toString()));
    assertEquals(0, res.exit(), res.stdout() + res.stderr());
    corpus.assertArrivedLiterally(graph, out);
  }

  @Test
  void secretsAreReadLiterallyFromPrivateFilesAndNeverWritten() throws Exception {
    InjectionCorpus corpus = new InjectionCorpus();
    String tokenValue = corpus.values.get(0) + " tok-" + corpus.id;
    String dirValue = corpus.values.get(1) + " dir-" + corpus.id;
    Path secrets = Files.createDirectories(tmp.resolve("secrets"));
    privateFile(secrets.resolve("HF_TOKEN"), tokenValue + "\n");
    Files.createDirectories(secrets.resolve("db"));
    privateFile(secrets.resolve("db/DB_PASSWORD"), dirValue);
    Path recorder = executable(tmp.resolve("record.sh"), InjectionCorpus.recorderScript());
    Component c = new Component("svc", null, List.of(recorder.toString()), "batch:/x", "dyn", List.of(), 1,
        Resources.NONE, List.of(EnvVar.secret("TOKEN", "HF_TOKEN"), EnvVar.literal("PLAIN", "p")), List.of("db"),
        Map.of(), MultiNode.SINGLE, null);
    Graph graph = new Graph("1.0", "secret-graph", List.of(c));
    Rendering r = SlurmRenderer.render(graph, Map.of());
    assertFalse(r.files().get(0).content().contains(corpus.id), "a secret value in the script");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Map<String, String> env = Map.of("DYN_TEST_OUT", out.toString(), "DYNAMO_SECRETS_DIR", secrets.toString());

    Result ok = runRendered(graph, env);
    assertEquals(0, ok.exit(), ok.stdout() + ok.stderr());
    String received = Files.readString(Files.list(out).filter(p -> p.toString().endsWith(".env")).findFirst().orElseThrow());
    assertTrue(received.contains("\0TOKEN=" + tokenValue + "\0"), "secret env var arrives literally");
    assertTrue(received.contains("\0DB_PASSWORD=" + dirValue + "\0"), "secret directory entry arrives literally");
    corpus.assertNothingExecuted();

    Files.setPosixFilePermissions(secrets.resolve("HF_TOKEN"), PosixFilePermissions.fromString("rw-r--r--"));
    Result refused = runRendered(graph, env);
    assertNotEquals(0, refused.exit());
    assertTrue(refused.stdout().contains("must be mode 0600"), refused.stdout());
    assertFalse((refused.stdout() + refused.stderr()).contains(corpus.id), "secret value in the log");
  }

  /** srun stand-in that records its own arguments (one NUL-terminated word each) instead of running anything. */
  private static final String RECORDING_SRUN = """
      #!/bin/bash
      printf '%s\\0' "$@" >>"$DYN_TEST_OUT/srun.args"
      """;

  /** scontrol stand-in for {@code scontrol show hostnames}: a two-node allocation. */
  private static final String FAKE_SCONTROL = """
      #!/bin/bash
      printf 'node1\\nnode2\\n'
      """;

  /** srun stand-in for groups: runs the command with SLURMD_NODENAME set from --nodelist, as slurmd would. */
  private static final String NODE_SRUN = """
      #!/bin/bash
      while (( $# > 0 )) && [[ "$1" != -- ]]; do
        case "$1" in
          --nodelist=*) export SLURMD_NODENAME="${1#--nodelist=}" ;;
          --output=*) printf '%s' "${1#--output=}" >"${DYN_TEST_OUT:-/dev/null}/$SLURMD_NODENAME.output" ;;
        esac
        shift
      done
      shift
      exec "$@"
      """;

  @Test
  void pyxisImageReachesSrunLiterally() throws Exception {
    InjectionCorpus corpus = new InjectionCorpus();
    String image = "registry.example/x:1" + corpus.values.get(0) + corpus.values.get(2);
    Component c = new Component("img", image, List.of("/bin/true"), "batch:/x", "dyn", List.of(), 1, Resources.NONE,
        List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);
    Graph graph = new Graph("1.0", "pyxis", List.of(c));
    Path out = Files.createDirectories(tmp.resolve("out"));
    Result res = runRendered(graph, Map.of("container", "pyxis"), RECORDING_SRUN,
        Map.of("DYN_TEST_OUT", out.toString()));
    assertEquals(0, res.exit(), res.stdout() + res.stderr());
    List<String> args = InjectionCorpus.split0(Files.readString(out.resolve("srun.args")));
    assertEquals(List.of("--nodes=1", "--ntasks=1", "--container-image=" + image, "--", "/bin/true", "in=batch:/x",
        "out=dyn"), args);
    corpus.assertNothingExecuted();
  }

  @Test
  void groupStartsWorkersAtOnceWithStartWorkersNow() throws Exception {
    Path recorder = executable(tmp.resolve("record.sh"), InjectionCorpus.recorderScript());
    Graph graph = groupGraph(recorder);
    Path out = Files.createDirectories(tmp.resolve("out"));
    Result res = runRendered(graph, Map.of(), NODE_SRUN,
        Map.of("DYN_TEST_OUT", out.toString(), "DYNAMO_START_WORKERS", "now", "SLURM_JOB_NODELIST", "node[1-2]"));
    assertEquals(0, res.exit(), res.stdout() + res.stderr());
    assertTrue(res.stdout().indexOf("leader started (rank 0 on node1)") < res.stdout().indexOf("workers started"),
        res.stdout());
    assertFalse(res.stdout().contains("waiting for"), res.stdout());
    for (String node : List.of("node1", "node2")) {
      try (var files = Files.list(out)) {
        Path argv = files.filter(p -> p.getFileName().toString().startsWith(node + ".") && p.toString().endsWith(".argv"))
            .findFirst().orElseThrow(() -> new AssertionError("no process on " + node));
        List<String> words = InjectionCorpus.split0(Files.readString(argv));
        String rank = node.equals("node1") ? "0" : "1";
        assertEquals(List.of("in=batch:/x", "out=dyn", "--num-nodes", "2", "--node-rank", rank, "--leader-addr",
            "node1:29500"), words);
      }
    }
    // Rank 0 writes to the job's output file; each worker rank to a file of its own (dynamo deploy logs --rank).
    assertFalse(Files.exists(out.resolve("node1.output")), "the leader keeps the job's output file");
    String workerOutput = Files.readString(out.resolve("node2.output"));
    assertTrue(workerOutput.endsWith("/grp-0/" + SlurmNames.rankOutput("%j", 1)), workerOutput);
  }

  @Test
  void groupFailsWhenTheLeaderEndsBeforeWorkersAreReleased() throws Exception {
    Graph graph = groupGraph(Path.of("/bin/false"));
    Result res = runRendered(graph, Map.of(), NODE_SRUN, Map.of("SLURM_JOB_NODELIST", "node[1-2]"));
    assertNotEquals(0, res.exit());
    assertTrue(res.stdout().contains("leader exited with status 1 before the workers started"), res.stdout());
    assertFalse(res.stdout().contains("workers started (ranks"), res.stdout());
  }

  @Test
  void aGroupReportsEachStateInItsStatusFileAndWakesWhenStartWorkersAppears() throws Exception {
    Path leader = executable(tmp.resolve("serve.sh"), "#!/bin/bash\nexec sleep 8\n");
    // A service group (a batch job has no readiness rule to watch: it is done when it exits).
    Graph graph = new Graph("1.0", "grp", List.of(new Component("grp", null, List.of(leader.toString()),
        "dyn://grp.serve.generate", "dyn", List.of(), 1, Resources.NONE, List.of(), List.of(), Map.of(),
        new MultiNode(2, null, null), null)));
    Path dir = Files.createDirectories(tmp.resolve("run"));
    Golden.materialise(dir, SlurmRenderer.render(graph, Map.of()));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    executable(bin.resolve("srun"), NODE_SRUN);
    executable(bin.resolve("scontrol"), FAKE_SCONTROL);
    ProcessBuilder pb = new ProcessBuilder("bash", SlurmNames.scriptPath("grp", 0)).directory(dir.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("SLURM_JOB_NODELIST", "node[1-2]");
    pb.environment().put("SLURM_JOB_ID", "77");
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve("job.out").toFile());
    Process job = pb.start();
    try {
      Path status = dir.resolve("grp-0/status");
      // Nothing listens on the leader port (29500 on node1): the watcher says unready; the job waits for the file.
      awaitLine(status, "77 unready");
      String before = Files.readString(status);
      assertTrue(before.contains(" 77 started leader on node1\n"), before);
      assertFalse(before.contains("workers-started"), before);
      Files.writeString(dir.resolve("grp-0/start-workers"), "start\n");
      awaitLine(status, "77 workers-started on node2");
      assertTrue(job.waitFor(30, TimeUnit.SECONDS), "the job ends when its processes do");
      List<String> states = Files.readAllLines(status).stream().map(l -> l.split(" ", 4)[2]).toList();
      assertEquals(List.of("started", "unready", "workers-started", "exited"), states, Files.readString(status));
      for (String l : Files.readAllLines(status)) {
        assertTrue(l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z 77 .*"), l);
      }
    } finally {
      job.destroyForcibly();
    }
  }

  @Test
  void aRunningRuleIsReadyOnlyOnceTheProcessHasRunFiveSeconds() throws Exception {
    // A command that ends at once (as one that does not exist on the node) is never ready.
    Result quick = runRendered(service(Path.of("/bin/false")), Map.of("SLURM_JOB_ID", "81"));
    assertNotEquals(0, quick.exit());
    Path quickStatus = tmp.resolve("run/svc-0/status");
    Thread.sleep((ComponentProcess.RUNNING_READY_SECONDS + 1) * 1000L); // the check's moment has passed
    assertEquals(List.of("started", "exited"), states(quickStatus), Files.readString(quickStatus));

    // One that keeps running is ready, no sooner than RUNNING_READY_SECONDS after it started.
    Path serve = executable(tmp.resolve("serve.sh"), "#!/bin/bash\nexec sleep 8\n");
    Files.delete(quickStatus);
    Result slow = runRendered(service(serve), Map.of("SLURM_JOB_ID", "82"));
    assertNotEquals(0, slow.exit(), "a service whose process ends stops the job");
    List<String> lines = Files.readAllLines(quickStatus);
    assertEquals(List.of("started", "ready", "exited"), states(quickStatus), String.join("\n", lines));
    java.time.Instant started = java.time.Instant.parse(lines.get(0).split(" ")[0]);
    java.time.Instant ready = java.time.Instant.parse(lines.get(1).split(" ")[0]);
    assertTrue(!ready.isBefore(started.plusSeconds(ComponentProcess.RUNNING_READY_SECONDS)), started + " " + ready);
  }

  /** {@code running: {seconds: 1}}: a process that runs 3 s is ready, though it ends before the default 5 s. */
  @Test
  void aRunningRuleWithStatedSecondsIsReadyAfterThoseSeconds() throws Exception {
    Path serve = executable(tmp.resolve("serve3.sh"), "#!/bin/bash\nexec sleep 3\n");
    Graph g = service(serve, new Readiness(Readiness.Type.RUNNING, null, null, 1));
    Result run = runRendered(g, Map.of("SLURM_JOB_ID", "83"));
    assertNotEquals(0, run.exit(), "a service whose process ends stops the job");
    Path status = tmp.resolve("run/svc-0/status");
    List<String> lines = Files.readAllLines(status);
    assertEquals(List.of("started", "ready", "exited"), states(status), String.join("\n", lines));
    java.time.Instant started = java.time.Instant.parse(lines.get(0).split(" ")[0]);
    java.time.Instant ready = java.time.Instant.parse(lines.get(1).split(" ")[0]);
    assertTrue(!ready.isBefore(started.plusSeconds(1)), started + " " + ready);
  }

  /**
   * A port that answers before the process starts is another program's (on Slurm, another replica placed on the same
   * node): the job fails at once, naming the port, instead of counting that program's answers as its own.
   */
  @Test
  void aPortThatAnswersBeforeTheProcessStartsFailsTheJob() throws Exception {
    try (java.net.ServerSocket other = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      int port = other.getLocalPort();
      Path serve = executable(tmp.resolve("serve-port.sh"), "#!/bin/bash\nexec sleep 30\n");
      Graph g = service(serve, new Readiness(Readiness.Type.TCP, port, null));
      Result run = runRendered(g, Map.of("SLURM_JOB_ID", "84", "SLURMD_NODENAME", "127.0.0.1"));
      assertNotEquals(0, run.exit());
      Path status = tmp.resolve("run/svc-0/status");
      String lines = Files.readString(status);
      assertEquals(List.of("failed"), states(status), lines);
      assertTrue(lines.contains("port " + port + " on 127.0.0.1 answers before this job's process started"), lines);
      assertTrue(lines.contains("another replica of svc on this node?"), lines);
    }
    // Free, the same script starts its process and becomes ready on its port.
    int free;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      free = s.getLocalPort();
    }
    Path listen = executable(tmp.resolve("listen.sh"), "#!/bin/bash\nexec python3 -c 'import socket,time\n"
        + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", "
        + free + ")); s.listen(); time.sleep(3)'\n");
    Files.deleteIfExists(tmp.resolve("run/svc-0/status"));
    Result ok = runRendered(service(listen, new Readiness(Readiness.Type.TCP, free, null)),
        Map.of("SLURM_JOB_ID", "85", "SLURMD_NODENAME", "127.0.0.1"));
    assertNotEquals(0, ok.exit(), "a service whose process ends stops the job");
    // The process closes its port as it ends: the watcher, which runs until the job's shell exits, may see that
    // (unready) before or after the script writes exited. The deployer's fold keeps the exit (JobReport).
    List<String> seen = states(tmp.resolve("run/svc-0/status"));
    String lines = Files.readString(tmp.resolve("run/svc-0/status"));
    assertEquals(List.of("started", "unready", "ready"), seen.subList(0, Math.min(3, seen.size())), lines);
    assertEquals(1, seen.stream().filter("exited"::equals).count(), lines);
    assertTrue(seen.subList(3, seen.size()).stream().allMatch(s -> s.equals("unready") || s.equals("exited")), lines);
  }

  private static Graph service(Path cmd) {
    return service(cmd, null);
  }

  private static Graph service(Path cmd, Readiness readiness) {
    return new Graph("1.0", "svc", List.of(new Component("svc", null, List.of(cmd.toString()), "dyn://svc.a.b", "dyn",
        List.of(), 1, Resources.NONE, List.of(), List.of(), Map.of(), MultiNode.SINGLE, readiness)));
  }

  private static List<String> states(Path status) throws IOException {
    return Files.readAllLines(status).stream().map(l -> l.split(" ", 4)[2]).toList();
  }

  /** Waits (bounded) until the file has a line containing {@code text}. */
  private static void awaitLine(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file).contains(text)) return;
      Thread.sleep(100);
    }
    throw new AssertionError("no line with \"" + text + "\" in " + file + ": "
        + (Files.exists(file) ? Files.readString(file) : "(missing)"));
  }

  private static Graph groupGraph(Path cmd) {
    Component c = new Component("grp", null, List.of(cmd.toString()), "batch:/x", "dyn", List.of(), 1, Resources.NONE,
        List.of(), List.of(), Map.of(), new MultiNode(2, null, null), null);
    return new Graph("1.0", "grp", List.of(c));
  }

  private Result runRendered(Graph graph, Map<String, String> env) throws IOException, InterruptedException {
    return runRendered(graph, Map.of(), FAKE_SRUN, env);
  }

  /** Renders a one-component graph and runs its script with bash, stand-ins for srun and scontrol first on PATH. */
  private Result runRendered(
      Graph graph, Map<String, String> settings, String srun, Map<String, String> env) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(tmp.resolve("run"));
    Golden.materialise(dir, SlurmRenderer.render(graph, settings));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    executable(bin.resolve("srun"), srun);
    executable(bin.resolve("scontrol"), FAKE_SCONTROL);
    ProcessBuilder pb = new ProcessBuilder("bash", SlurmNames.scriptPath(graph.components().get(0).name(), 0));
    pb.directory(dir.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().putAll(env);
    return run(pb, 60);
  }

  private static Path executable(Path p, String content) throws IOException {
    return Golden.executable(p, content);
  }

  /** A process's exit code and output. */
  record Result(int exit, String stdout, String stderr) {}

  /** Runs a process to its end, bounded so that a hung script fails the test instead of hanging the build. */
  static Result run(ProcessBuilder pb, long timeoutSeconds) throws IOException, InterruptedException {
    Process p = pb.start();
    // Both streams are drained while the process runs, so a chatty script cannot block on a full pipe.
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after " + timeoutSeconds + "s: " + pb.command());
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static String drain(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void privateFile(Path p, String content) throws IOException {
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
  }
}
