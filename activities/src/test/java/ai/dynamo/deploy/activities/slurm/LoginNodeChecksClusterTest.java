package ai.dynamo.deploy.activities.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The preflight's login-node checks (one remote command) on the real login node: each problem stops them with its
 * own message, in order, and a good login node ends with the remote directory made, private and writable.
 */
class LoginNodeChecksClusterTest {

  @Test
  void aGoodLoginNodePassesAndTheDirectoryIsMadePrivate() throws IOException {
    try (ClusterFixture f = new ClusterFixture("checks-ok")) {
      String dir = f.ssh.home() + "/" + f.remoteDir + "/a b/graph";
      LoginNodeChecks.run(f.ssh, f.endpoint.display(), f.cluster.partition(), dir);
      assertEquals("700", f.ssh.run("stat -c %a " + Shell.quote(dir), RemoteShell.Retry.SAFE).stdout().strip());
      LoginNodeChecks.run(f.ssh, f.endpoint.display(), null, dir); // again: nothing to make, still fine
    }
  }

  @Test
  void aLoginShellWithoutSlurmIsRefusedNamingTheMissingCommandsAndNothingIsMade() throws IOException {
    try (ClusterFixture f = new ClusterFixture("no-slurm")) {
      RemoteShell noSlurm = prefixed(f.ssh, "PATH=/nonexistent; ");
      String dir = f.ssh.home() + "/" + f.remoteDir + "/graph";
      TargetFailure e = assertThrows(TargetFailure.class,
          () -> LoginNodeChecks.run(noSlurm, f.endpoint.display(), null, dir));
      assertEquals(DeployFailures.TARGET_UNUSABLE, e.type());
      assertTrue(e.nonRetryable());
      assertTrue(e.getMessage().contains("the login node " + f.endpoint.display()
          + " has no sbatch, squeue, scancel, scontrol, sinfo on the login shell's PATH"), e.getMessage());
      assertFalse(f.ssh.run("test -e " + Shell.quote(dir), RemoteShell.Retry.SAFE).ok(), "nothing made");
    }
  }

  @Test
  void anUnknownPartitionIsNamed() throws IOException {
    try (ClusterFixture f = new ClusterFixture("no-partition")) {
      TargetFailure e = assertThrows(TargetFailure.class, () -> LoginNodeChecks.run(f.ssh, f.endpoint.display(),
          "no-such-partition", f.ssh.home() + "/" + f.remoteDir));
      assertEquals("partition \"no-such-partition\" does not exist on the cluster", e.getMessage());
    }
  }

  @Test
  void anUnwritableDirectoryIsNamedWithTheCause() throws IOException {
    try (ClusterFixture f = new ClusterFixture("unwritable")) {
      TargetFailure e = assertThrows(TargetFailure.class,
          () -> LoginNodeChecks.run(f.ssh, f.endpoint.display(), null, "/root/dynamo-forbidden/graph"));
      assertEquals(DeployFailures.TARGET_UNUSABLE, e.type());
      assertTrue(e.getMessage().startsWith("cannot write the remote directory /root/dynamo-forbidden/graph on "
          + f.endpoint.display() + " (mkdir: "), e.getMessage());
      assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
    }
  }

  @Test
  void whatALoginShellPrintsItselfIsNotTakenForAnAnswer() throws IOException {
    try (ClusterFixture f = new ClusterFixture("noisy")) {
      RemoteShell noisy = prefixed(f.ssh, "echo 'Welcome! missing nothing'; ");
      LoginNodeChecks.run(noisy, f.endpoint.display(), null, f.ssh.home() + "/" + f.remoteDir);
    }
  }

  /** The login node with {@code prefix} run before every command (another PATH, a chatty login shell). */
  private static RemoteShell prefixed(RemoteShell shell, String prefix) {
    return new ForwardingShell(shell) {
      @Override
      public Result run(String command, Retry retry) throws IOException {
        return super.run(prefix + command, retry);
      }
    };
  }
}
