package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.activities.slurm.SshConnection;
import ai.dynamo.deploy.activities.slurm.SshEndpoint;
import ai.dynamo.deploy.activities.slurm.SshOptions;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local cluster's login node for the CLI's Slurm tests: an SSH connection as the job user (to look at and clean
 * up what a test did), the stand-in for {@code dynamo serve} uploaded, and the target flags that reach it.
 */
final class SlurmLogin implements AutoCloseable {
  final LocalSlurmCluster cluster;
  final SshConnection ssh;
  /** Where the stand-in is on the cluster. */
  final String standin;

  private SlurmLogin(LocalSlurmCluster cluster, SshConnection ssh, String standin) {
    this.cluster = cluster;
    this.ssh = ssh;
    this.standin = standin;
  }

  /** Requires the cluster (a missing one fails or skips the test, see {@link LocalSlurmCluster#require}). */
  static SlurmLogin open() throws IOException {
    LocalSlurmCluster cluster = LocalSlurmCluster.require();
    SshConnection ssh = new SshConnection(
        new SshEndpoint("local", cluster.setting("DYNAMO_SLURM_SSH_HOST"), port(cluster), cluster.user(),
            List.of(Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY")))),
        new SshOptions(Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS")), false, null, Duration.ofSeconds(10),
            Duration.ofSeconds(5)));
    String standin = ssh.home() + "/dynamo-standin/dynamo-standin.py";
    ssh.mkdirs(ssh.home() + "/dynamo-standin", 0755);
    ssh.writeFile(standin,
        Files.readAllBytes(ExampleGraphs.repositoryRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    return new SlurmLogin(cluster, ssh, standin);
  }

  private static int port(LocalSlurmCluster cluster) {
    return Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT"));
  }

  String host() {
    return cluster.setting("DYNAMO_SLURM_SSH_HOST");
  }

  /** The target flags of a deploy to this cluster, into {@code remoteDir}, host keys checked against {@code knownHosts}. */
  List<String> flags(String remoteDir, Path knownHosts) {
    return List.of("--ssh-host", cluster.user() + "@" + host() + ":" + port(cluster),
        "--ssh-key", cluster.setting("DYNAMO_SLURM_SSH_KEY"), "--known-hosts", knownHosts.toString(),
        "--partition", cluster.partition(), "--time", "00:05:00", "--remote-dir", remoteDir);
  }

  Path knownHosts() {
    return Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
  }

  /** Cancels the jobs (scancel takes one name per --name) and removes the test's remote directory. */
  void cleanUp(String remoteDir, List<String> jobNames) throws IOException {
    for (String job : jobNames) ssh.run("scancel --name=" + job, RemoteShell.Retry.SAFE);
    ssh.run("rm -rf -- " + ssh.home() + "/" + remoteDir, RemoteShell.Retry.SAFE);
  }

  @Override
  public void close() {
    ssh.close();
  }
}
