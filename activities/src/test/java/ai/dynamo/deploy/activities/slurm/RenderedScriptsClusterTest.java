package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.slurm.Golden;
import ai.dynamo.deploy.render.slurm.InjectionCorpus;
import ai.dynamo.deploy.render.slurm.SlurmExamples;
import ai.dynamo.deploy.render.slurm.SlurmRenderer;
import ai.dynamo.deploy.render.slurm.SlurmTestGraphs;
import ai.dynamo.deploy.testing.slurm.LocalSlurm;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The renderer's scripts on the real local Slurm cluster (scripts/local-slurm), submitted as its job user: what the
 * Slurm target uploads must pass real sbatch. (Here rather than in render, whose tests stay pure.)
 */
@ExtendWith(LocalSlurm.class)
class RenderedScriptsClusterTest {
  private static LocalSlurmCluster cluster;
  private static final List<Path> workDirs = new ArrayList<>();

  /** Per test (not once per class) so that a missing, not-required cluster shows as skipped tests. */
  @BeforeEach
  void findCluster(LocalSlurmCluster local) {
    cluster = local;
  }

  @AfterAll
  static void removeWorkDirs() throws IOException {
    if (cluster == null) return;
    for (Path dir : workDirs) cluster.run(List.of("rm", "-rf", dir.toString()), null, 60);
  }

  private Map<String, String> settings() {
    return Map.of(TargetSettingKeys.SLURM_PARTITION, cluster.partition(), TargetSettingKeys.SLURM_TIME, "00:02:00");
  }

  private Path materialise(String name, Rendering rendering, Map<String, String> extraFiles) throws IOException {
    Path dir = cluster.newWorkDir(name);
    workDirs.add(dir);
    Golden.materialise(dir, rendering);
    for (var e : extraFiles.entrySet()) Golden.executable(dir.resolve(e.getKey()), e.getValue());
    cluster.chownToUser(dir);
    return dir;
  }

  @Test
  void sbatchTestOnlyAcceptsEveryRenderedScript() throws Exception {
    List<Rendering> renderings = new ArrayList<>();
    renderings.add(SlurmRenderer.render(SlurmTestGraphs.mixed(), settings()));
    renderings.addAll(SlurmExamples.renderAll(settings()).values());
    int checked = 0;
    for (Rendering r : renderings) {
      Path dir = materialise("test-only", r, Map.of());
      for (RenderedFile f : r.files()) {
        LocalSlurmCluster.Result res = cluster.run(List.of("sbatch", "--test-only", f.relativePath()), dir, 60);
        assertEquals(0, res.exit(), f.relativePath() + ": " + res.stderr()
            + " (an example with a new node_selector needs that feature on the local nodes: NODE_FEATURES in"
            + " scripts/local-slurm)");
        assertTrue(res.stderr().contains("to start at"), f.relativePath() + ": " + res.stderr());
        checked++;
      }
    }
    assertTrue(checked >= 4, "scripts checked: " + checked);
  }

  @Test
  void injectionCorpusArrivesLiterallyThroughRealSbatch() throws Exception {
    InjectionCorpus corpus = new InjectionCorpus();
    Path dir = cluster.newWorkDir("inject");
    workDirs.add(dir);
    Graph graph = corpus.graph(dir.resolve("record.sh"));
    Rendering r = SlurmRenderer.render(graph, settings());
    Golden.materialise(dir, r);
    Golden.executable(dir.resolve("record.sh"), InjectionCorpus.recorderScript());
    Files.createDirectories(dir.resolve("out"));
    cluster.chownToUser(dir);
    String job = cluster.submit(dir, r.files().get(0).relativePath(), Map.of("DYN_TEST_OUT", dir.resolve("out").toString()));
    try {
      String state = cluster.awaitEnd(job, 120);
      assertEquals("COMPLETED", state, log(dir, "inject-0", job));
    } finally {
      cluster.cancel(job);
    }
    corpus.assertArrivedLiterally(graph, dir.resolve("out"));
  }

  /** Leader records its argv and stays up until {@code release} appears (bounded), so workers can join it. */
  private static final String GROUP_MEMBER = """
      #!/bin/bash
      out="${DYN_TEST_OUT:?}/${SLURMD_NODENAME:?}"
      printf '%s\\0' "$@" >"$out.argv.tmp" && mv "$out.argv.tmp" "$out.argv"
      for i in $(seq 1 600); do [[ -e "$DYN_TEST_OUT/release" ]] && exit 0; sleep 0.2; done
      exit 7
      """;

  @Test
  void twoNodeGroupStartsWorkersOnlyAfterStartWorkersFile() throws Exception {
    Path dir = cluster.newWorkDir("group");
    workDirs.add(dir);
    Path out = dir.resolve("out");
    Component group = new Component("group", null, List.of(dir.resolve("member.sh").toString()), "batch:/none", "dyn",
        List.of(SlurmTestGraphs.str("model_path", "m")), 1, new Resources("2", "1Gi", 8), List.of(), List.of(),
        Map.of("role", "leader"), new MultiNode(2, 0, "127.0.0.1:9876"), null);
    Rendering r = SlurmRenderer.render(new Graph("1.0", "group-test", List.of(group)), settings());
    Golden.materialise(dir, r);
    Golden.executable(dir.resolve("member.sh"), GROUP_MEMBER);
    Files.createDirectories(out);
    cluster.chownToUser(dir);

    String job = cluster.submit(dir, r.files().get(0).relativePath(), Map.of("DYN_TEST_OUT", out.toString()));
    try {
      Path log = dir.resolve("group-0/slurm-" + job + ".out");
      await("leader recorded and job waiting for start-workers", 90,
          () -> argvFiles(out).size() == 1 && read(log).contains("waiting for"));
      // The workers must not start on their own: nothing but the file releases them.
      Thread.sleep(1500);
      assertEquals(1, argvFiles(out).size(), "a worker started before start-workers: " + read(log));
      assertTrue(Files.exists(dir.resolve("group-0/leader-addr")));

      cluster.run(List.of("touch", dir.resolve("group-0/start-workers").toString()), null, 30);
      await("worker recorded", 60, () -> argvFiles(out).size() == 2);
      cluster.run(List.of("touch", out.resolve("release").toString()), null, 30);
      assertEquals("COMPLETED", cluster.awaitEnd(job, 60), read(log));

      String text = read(log);
      int leader = text.indexOf("leader started");
      int workers = text.indexOf("workers started");
      assertTrue(leader >= 0 && workers > leader, "leader before workers in the job log:\n" + text);
      assertTrue(text.lines().filter(l -> l.contains("started")).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT.*Z .*")),
          "timestamped lines:\n" + text);

      List<String> leaderArgv = InjectionCorpus.split0(read(out.resolve("node1.argv")));
      assertEquals(List.of("in=batch:/none", "out=dyn", "--model-path", "m", "--num-nodes", "2", "--node-rank", "0",
          "--leader-addr", "node1:9876"), leaderArgv);
      List<Path> files = argvFiles(out);
      Path worker = files.stream().filter(p -> !p.getFileName().toString().equals("node1.argv")).findFirst().orElseThrow();
      List<String> workerArgv = InjectionCorpus.split0(read(worker));
      assertEquals(List.of("in=batch:/none", "out=dyn", "--model-path", "m", "--num-nodes", "2", "--node-rank", "1",
          "--leader-addr", "node1:9876"), workerArgv);
    } finally {
      cluster.cancel(job);
    }
  }

  @Test
  void serviceRunsUntilCancelled() throws Exception {
    Path dir = cluster.newWorkDir("service");
    workDirs.add(dir);
    Component svc = new Component("svc", null, List.of(dir.resolve("svc.sh").toString()), "http", "dyn",
        List.of(SlurmTestGraphs.integer("port", 18080)), 1, new Resources("1", "64Mi", 0), List.of(), List.of(),
        Map.of(), MultiNode.SINGLE, null);
    Rendering r = SlurmRenderer.render(new Graph("1.0", "service-test", List.of(svc)), settings());
    Golden.materialise(dir, r);
    Golden.executable(dir.resolve("svc.sh"), "#!/bin/bash\nexec sleep 110\n");
    cluster.chownToUser(dir);
    String job = cluster.submit(dir, r.files().get(0).relativePath(), Map.of());
    try {
      Path log = dir.resolve("svc-0/slurm-" + job + ".out");
      await("service running", 60, () -> read(log).contains("process started"));
      Thread.sleep(1000);
      assertEquals("RUNNING", cluster.jobState(job), read(log));
    } finally {
      cluster.cancel(job);
    }
    assertEquals("CANCELLED", cluster.awaitEnd(job, 60));
  }

  private static String log(Path dir, String stem, String job) {
    return read(dir.resolve(stem + "/slurm-" + job + ".out"));
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static List<Path> argvFiles(Path out) {
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(p -> p.toString().endsWith(".argv")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Polls a condition (bounded, so a broken cluster fails the test instead of hanging the build). */
  private static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + seconds + "s: " + what);
      Thread.sleep(200);
    }
  }
}
