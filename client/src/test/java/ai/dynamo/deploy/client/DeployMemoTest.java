package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.workflows.TargetSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memo keeps every setting a deploy was started with, and says so; older memos are known to be partial. */
class DeployMemoTest {
  static final Map<String, String> SLURM = Map.of("sshHost", "login1", "sshKey", "/k", "knownHosts", "/kh",
      "remoteDir", "deploys", "partition", "gpu", "time", "04:00:00", "account", "llm", "sbatchExtra",
      "--qos=high\n--exclusive", "container", "pyxis", "strategy", "recreate");

  @Test
  void everySettingGoesInAndTheMemoSaysItIsComplete() {
    DeployMemo memo = DeployMemo.of(new TargetSpec("slurm", "alice@login1:22", SLURM));
    assertEquals(SLURM, memo.settings());
    assertTrue(memo.complete());
    assertEquals(Map.of("sshHost", "login1", "sshKey", "/k", "knownHosts", "/kh", "remoteDir", "deploys"),
        memo.reach());
    assertEquals("deploy/slurm/alice@login1:22/g", memo.workflowId("g"));
    assertEquals(new TargetSpec("slurm", "alice@login1:22", SLURM), memo.target());
    Map<String, Object> entries = memo.entries("digest");
    assertEquals("all", entries.get(DeployMemo.SETTINGS_KEPT));
    assertEquals(SLURM, entries.get(DeployMemo.SETTINGS));
  }

  @Test
  void aRunWithoutOneGetsKindAndLocationFromItsWorkflowIdAndNoSettings() {
    DeployMemo k8s = DeployMemo.fromWorkflowId("deploy/k8s/prod/llm/g");
    assertEquals(new DeployMemo("k8s", "prod/llm", Map.of(), false), k8s);
    assertFalse(k8s.complete());
    assertEquals(new DeployMemo("slurm", "login1", Map.of(), false), DeployMemo.fromWorkflowId("deploy/slurm/login1/g"));
  }
}
