package ai.dynamo.deploy.render.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmRendererTest {
  static final Map<String, String> SETTINGS = Map.of(
      TargetSettingKeys.SLURM_PARTITION, "debug",
      TargetSettingKeys.SLURM_TIME, "00:10:00",
      TargetSettingKeys.SLURM_SBATCH_EXTRA, "--qos=normal\n#SBATCH --mail-type=NONE\n");

  private static String script(Rendering r, String path) {
    return r.files().stream().filter(f -> f.relativePath().equals(path)).findFirst().orElseThrow().content();
  }

  @Test
  void mixedGraphMatchesGoldenFiles() throws Exception {
    Golden.check("mixed", SlurmRenderer.render(SlurmTestGraphs.mixed(), SETTINGS));
  }

  @Test
  void examplesMatchGoldenFiles() throws Exception {
    List<java.nio.file.Path> files = SlurmExamples.files();
    assertTrue(files.size() >= 2, "examples found: " + files);
    for (java.nio.file.Path f : files) {
      Golden.check("examples/" + SlurmExamples.name(f), SlurmExamples.render(f, SETTINGS));
    }
  }

  @Test
  void examplesReRenderByteIdentical() {
    for (java.nio.file.Path f : SlurmExamples.files()) {
      assertEquals(SlurmExamples.render(f, SETTINGS), SlurmExamples.render(f, SETTINGS), f.toString());
    }
  }

  @Test
  void unusedImagesGiveOneWarning() {
    Graph g = SlurmTestGraphs.mixed();
    Graph withImages = new Graph("1.0", "g", List.of(withImage(g.components().get(0), "img:1"),
        withImage(g.components().get(2), "img:2"), g.components().get(1)));
    assertEquals(List.of("images are not used on Slurm unless the setting container=pyxis is set (--container pyxis; "
        + "components with an image: http_ingress, batch_processor)"), SlurmRenderer.render(withImages, Map.of()).warnings());
    assertEquals(List.of(), SlurmRenderer.render(g, Map.of()).warnings());
  }

  @Test
  void reRenderIsByteIdentical() {
    Graph g = SlurmTestGraphs.mixed();
    assertEquals(SlurmRenderer.render(g, SETTINGS), SlurmRenderer.render(g, Map.copyOf(SETTINGS)));
    assertEquals(SlurmRenderer.render(g, SETTINGS), Renderers.render(g, "slurm", SETTINGS));
  }

  @Test
  void oneExecutableScriptPerReplicaInComponentOrder() {
    Rendering r = SlurmRenderer.render(SlurmTestGraphs.mixed(), Map.of());
    assertEquals(
        List.of("http-ingress-0/http-ingress-0.sbatch", "http-ingress-1/http-ingress-1.sbatch",
            "trtllm-leader-0/trtllm-leader-0.sbatch", "batch-processor-0/batch-processor-0.sbatch"),
        r.files().stream().map(RenderedFile::relativePath).toList());
    assertTrue(r.files().stream().allMatch(RenderedFile::executable));
    assertTrue(r.files().stream().allMatch(f -> f.content().endsWith("\n")));
  }

  @Test
  void resourcesBecomeSbatchOptions() {
    Rendering r = SlurmRenderer.render(SlurmTestGraphs.mixed(), SETTINGS);
    String ingress = script(r, "http-ingress-1/http-ingress-1.sbatch");
    assertTrue(ingress.contains("#SBATCH --job-name=dynamo-graph.http-ingress.1\n"));
    assertTrue(ingress.contains("#SBATCH --nodes=1\n#SBATCH --ntasks-per-node=1\n"));
    assertTrue(ingress.contains("#SBATCH --cpus-per-task=1\n")); // 500m rounds up
    assertTrue(ingress.contains("#SBATCH --mem=2048M\n"));
    assertFalse(ingress.contains("--gres"));
    assertTrue(ingress.contains("#SBATCH --output=http-ingress-1/slurm-%j.out\n"));
    assertTrue(ingress.contains("#SBATCH --partition=debug\n#SBATCH --time=00:10:00\n"));
    assertTrue(ingress.contains("#SBATCH --qos=normal\n#SBATCH --mail-type=NONE\n"));
    String group = script(r, "trtllm-leader-0/trtllm-leader-0.sbatch");
    assertTrue(group.contains("#SBATCH --nodes=2\n"));
    assertTrue(group.contains("#SBATCH --gres=gpu:8\n"));
    assertTrue(group.contains("#SBATCH --mem=81920M\n"));
    assertTrue(group.contains("#SBATCH --cpus-per-task=16\n"));
    assertTrue(group.contains("#SBATCH --constraint=role_leader\n"));
  }

  @Test
  void sbatchDirectivesComeBeforeAnyCommand() {
    for (RenderedFile f : SlurmRenderer.render(SlurmTestGraphs.mixed(), SETTINGS).files()) {
      List<String> lines = f.content().lines().toList();
      int lastDirective = -1;
      int firstCommand = Integer.MAX_VALUE;
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith("#SBATCH")) lastDirective = i;
        else if (!l.isBlank() && !l.startsWith("#") && firstCommand == Integer.MAX_VALUE) firstCommand = i;
      }
      assertTrue(lastDirective > 0 && lastDirective < firstCommand, f.relativePath());
    }
  }

  @Test
  void multiNodeGroupComputesRankAndHonoursPinnedLeader() {
    String group = script(SlurmRenderer.render(SlurmTestGraphs.mixed(), Map.of()), "trtllm-leader-0/trtllm-leader-0.sbatch");
    assertTrue(group.contains("mapfile -t DYN_NODES <<<\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\")\""));
    assertTrue(group.contains("DYN_LEADER_HOST='10.217.98.122'\n"));
    assertTrue(group.contains("DYN_LEADER_ADDR=\"$DYN_LEADER_HOST:5000\"\n"));
    assertTrue(group.contains("'--num-nodes' '2' '--node-rank' \"$dyn_rank\" '--leader-addr' \"$DYN_LEADER_ADDR\""));
    String awaitWorkers = "dyn_await_file \"$DYN_JOB_DIR/start-workers\"";
    assertTrue(group.indexOf("leader started") < group.indexOf(awaitWorkers));
    assertTrue(group.indexOf(awaitWorkers) < group.indexOf("workers started"));
  }

  @Test
  void secretsAreReadFromFilesAtRunTime() {
    String group = script(SlurmRenderer.render(SlurmTestGraphs.mixed(), Map.of()), "trtllm-leader-0/trtllm-leader-0.sbatch");
    assertTrue(group.contains("dyn_secret_dir \"$DYN_SECRETS_DIR\"/'my_secret_name'\n"));
    assertTrue(group.contains("dyn_secret_file HF_TOKEN \"$DYN_SECRETS_DIR\"/'HF_TOKEN'\n"));
    assertTrue(group.contains("DYN_SECRETS_DIR=\"${DYNAMO_SECRETS_DIR:-$HOME/.dynamo/secrets/dynamo-graph}\"\n"));
    assertTrue(group.indexOf("dyn_secret_dir \"") < group.indexOf("export CUDA_VISIBLE_DEVICES='0,1'"));
    assertFalse(group.contains("${{"));
  }

  @Test
  void batchWaitsForAllAndServiceStopsWhenOneEnds() {
    Rendering r = SlurmRenderer.render(SlurmTestGraphs.mixed(), Map.of());
    assertTrue(script(r, "batch-processor-0/batch-processor-0.sbatch").contains("for dyn_pid in \"${DYN_PIDS[@]}\""));
    assertTrue(script(r, "batch-processor-0/batch-processor-0.sbatch")
        .contains("'dynamo' 'serve' 'in=batch:/data/prompts.jsonl' 'out=dyn' '--model-path' 'Qwen/Qwen3-4B' '-vv'"));
    assertTrue(script(r, "http-ingress-0/http-ingress-0.sbatch").contains("wait -n\n"));
  }

  @Test
  void pyxisRunsTheImageAndNeedsOne() {
    Graph g = SlurmTestGraphs.mixed();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlurmRenderer.render(g, Map.of(TargetSettingKeys.SLURM_CONTAINER, "pyxis")));
    assertTrue(e.getMessage().contains("http_ingress") && e.getMessage().contains("image"), e.getMessage());
    Graph withImage = new Graph("1.0", "g", List.of(withImage(g.components().get(0), "nvcr.io/x/y:1 'q'")));
    String s = SlurmRenderer.render(withImage, Map.of(TargetSettingKeys.SLURM_CONTAINER, "pyxis")).files().get(0)
        .content();
    assertTrue(s.contains("srun --nodes=1 --ntasks=1 --cpus-per-task=1 --container-image='nvcr.io/x/y:1 '\\''q'\\''' -- "), s);
  }

  private static ai.dynamo.deploy.ir.Component withImage(ai.dynamo.deploy.ir.Component c, String image) {
    return new ai.dynamo.deploy.ir.Component(c.name(), image, c.cmd(), c.input(), c.output(), c.parameters(),
        c.replicas(), c.resources(), c.environment(), c.secrets(), c.nodeSelector(), c.multiNode(), c.readiness());
  }

  @Test
  void settingsThatCouldBreakTheScriptAreRefused() {
    Graph g = SlurmTestGraphs.mixed();
    for (Map<String, String> bad : List.of(
        Map.of(TargetSettingKeys.SLURM_PARTITION, "debug\nrm -rf ~"),
        Map.of(TargetSettingKeys.SLURM_ACCOUNT, "a b"),
        Map.of(TargetSettingKeys.SLURM_TIME, "soon"),
        Map.of(TargetSettingKeys.SLURM_SBATCH_EXTRA, "echo hi"),
        Map.of(TargetSettingKeys.SLURM_CONTAINER, "docker"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SlurmRenderer.render(g, bad));
      String key = bad.keySet().iterator().next();
      assertTrue(e.getMessage().startsWith("setting " + key + ":"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void secretNamesCannotLeaveTheSecretsDirectory() {
    Graph g = SlurmTestGraphs.mixed();
    var c = g.components().get(1);
    var bad = new ai.dynamo.deploy.ir.Component(c.name(), c.image(), c.cmd(), c.input(), c.output(), c.parameters(),
        c.replicas(), c.resources(), c.environment(), List.of("../../etc"), c.nodeSelector(), c.multiNode(), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlurmRenderer.render(new Graph("1.0", "g", List.of(bad)), Map.of()));
    assertTrue(e.getMessage().contains("../../etc"), e.getMessage());
  }
}
