package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.io.IOException;
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
        LocalSlurmCluster.Result res = LocalSlurmCluster.exec(new ProcessBuilder("bash", "-n", script.toString()), 30);
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
    LocalSlurmCluster.Result res = runRendered(graph, Map.of("DYN_TEST_OUT", out.toString()));
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

    LocalSlurmCluster.Result ok = runRendered(graph, env);
    assertEquals(0, ok.exit(), ok.stdout() + ok.stderr());
    String received = Files.readString(Files.list(out).filter(p -> p.toString().endsWith(".env")).findFirst().orElseThrow());
    assertTrue(received.contains("\0TOKEN=" + tokenValue + "\0"), "secret env var arrives literally");
    assertTrue(received.contains("\0DB_PASSWORD=" + dirValue + "\0"), "secret directory entry arrives literally");
    corpus.assertNothingExecuted();

    Files.setPosixFilePermissions(secrets.resolve("HF_TOKEN"), PosixFilePermissions.fromString("rw-r--r--"));
    LocalSlurmCluster.Result refused = runRendered(graph, env);
    assertNotEquals(0, refused.exit());
    assertTrue(refused.stdout().contains("must be mode 0600"), refused.stdout());
    assertFalse((refused.stdout() + refused.stderr()).contains(corpus.id), "secret value in the log");
  }

  /** Renders a one-component graph and runs its script with bash, stand-in srun first on PATH. */
  private LocalSlurmCluster.Result runRendered(Graph graph, Map<String, String> env) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("run"));
    Golden.materialise(dir, SlurmRenderer.render(graph, Map.of()));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    executable(bin.resolve("srun"), FAKE_SRUN);
    ProcessBuilder pb = new ProcessBuilder("bash", SlurmNames.scriptPath(graph.components().get(0).name(), 0));
    pb.directory(dir.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().putAll(env);
    return LocalSlurmCluster.exec(pb, 60);
  }

  static Path executable(Path p, String content) throws IOException {
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private static void privateFile(Path p, String content) throws IOException {
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
  }
}
