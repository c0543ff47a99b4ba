package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The preflight's check of the login node's Slurm commands, on the real login node with a PATH that lacks them. */
class LoginNodeChecksClusterTest {

  @Test
  void aLoginShellWithoutSlurmIsRefusedNamingTheMissingCommands() throws IOException {
    try (ClusterFixture f = new ClusterFixture("no-slurm")) {
      LoginNodeChecks.requireSlurmCommands(f.ssh, f.endpoint.display()); // the real login node has them all
      RemoteShell noSlurm = new ForwardingShell(f.ssh) {
        @Override
        public Result run(String command, Retry retry) throws IOException {
          return super.run("PATH=/nonexistent; " + command, retry);
        }
      };
      TargetFailure e = assertThrows(TargetFailure.class,
          () -> LoginNodeChecks.requireSlurmCommands(noSlurm, f.endpoint.display()));
      assertEquals(DeployFailures.TARGET_UNUSABLE, e.type());
      assertTrue(e.nonRetryable());
      assertTrue(e.getMessage().contains("has no sbatch, squeue, scancel, scontrol, sinfo on the login shell's PATH"),
          e.getMessage());
    }
  }
}
