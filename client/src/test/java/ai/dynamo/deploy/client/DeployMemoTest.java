package ai.dynamo.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.workflows.TargetSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memo keeps what finds and reaches a deploy, and nothing else. */
class DeployMemoTest {
  @Test
  void onlyTheSettingsThatReachTheTargetGoIn() {
    TargetSpec slurm = new TargetSpec("slurm", "alice@login1:22", Map.of("sshHost", "login1", "sshKey", "/k",
        "knownHosts", "/kh", "remoteDir", "deploys", "partition", "gpu", "sbatchExtra", "--qos=high"));
    DeployMemo memo = DeployMemo.of(slurm);
    assertEquals(Map.of("sshHost", "login1", "sshKey", "/k", "knownHosts", "/kh", "remoteDir", "deploys"),
        memo.settings());
    assertEquals("deploy/slurm/alice@login1:22/g", memo.workflowId("g"));
    assertEquals(new TargetSpec("slurm", "alice@login1:22", memo.settings()), memo.target());
  }

  @Test
  void aRunWithoutOneGetsKindAndLocationFromItsWorkflowId() {
    assertEquals(new DeployMemo("k8s", "prod/llm", Map.of()), DeployMemo.fromWorkflowId("deploy/k8s/prod/llm/g"));
    assertEquals(new DeployMemo("slurm", "login1", Map.of()), DeployMemo.fromWorkflowId("deploy/slurm/login1/g"));
  }
}
