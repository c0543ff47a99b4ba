package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.activities.slurm.RemoteShell;
import ai.dynamo.deploy.activities.slurm.SshConnection;
import ai.dynamo.deploy.activities.slurm.SshEndpoint;
import ai.dynamo.deploy.activities.slurm.SshOptions;
import ai.dynamo.deploy.cli.temporal.LocalService;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import ai.dynamo.deploy.worker.DeployRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real local Slurm cluster as the CLI tests drive it: a local Temporal service with the production worker
 * registration (so the Slurm target is the one users get), an SSH connection of the test's own (to install the
 * stand-in server, read job logs and look at the queue), a remote directory of its own, and
 * {@code dynamo deploy --target slurm --wait} command lines (the tests take their graphs' ports from
 * {@code FreePorts}). Closing it stops the service, cancels the jobs of the graphs it wrote and removes the remote
 * directory.
 */
final class SlurmCliSession implements AutoCloseable {
  final LocalSlurmCluster cluster;
  final SshConnection ssh;
  final LocalService service;
  /** The remote directory of this session's deploys, relative to the job user's home. */
  final String remoteDir;
  /** The absolute path of examples/slurm/dynamo-standin.py on the cluster, for a graph's cmd. */
  final String standin;
  private final Path dir;
  private final List<Graph> graphs = new ArrayList<>();

  /**
   * @param dir where graph files are written (the test's temporary directory)
   * @param name names the remote directory
   */
  SlurmCliSession(LocalSlurmCluster cluster, Path dir, String name) throws Exception {
    this(cluster, dir, name, DeployRegistration.production());
  }

  /** As above, the service's worker serving {@code registration} (e.g. a Slurm target with a test secret source). */
  SlurmCliSession(LocalSlurmCluster cluster, Path dir, String name, DeployRegistration registration)
      throws Exception {
    this.cluster = cluster;
    this.dir = dir;
    ssh = new SshConnection(new SshEndpoint("local", host(), port(), cluster.user(), List.of(key())),
        new SshOptions(knownHosts(), false, null, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    remoteDir = "dynamo-tests/" + name + "/" + System.nanoTime();
    standin = ssh.home() + "/dynamo-standin/dynamo-standin.py";
    ssh.mkdirs(ssh.home() + "/dynamo-standin", 0755);
    ssh.writeFile(standin, Files.readAllBytes(ExampleGraphs.repositoryRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
    service = LocalService.start(0, registration);
  }

  String host() {
    return cluster.setting("DYNAMO_SLURM_SSH_HOST");
  }

  int port() {
    return Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT"));
  }

  Path key() {
    return Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"));
  }

  Path knownHosts() {
    return Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
  }

  /** The login node without the ssh config: {@code user@host:port}, as the deploy ID names it. */
  String login() {
    return cluster.user() + "@" + host() + ":" + port();
  }

  /** The flags of a direct login with the cluster's key, checked against {@code knownHosts}. */
  List<String> directLogin(Path knownHosts) {
    return List.of("--ssh-host", login(), "--ssh-key", key().toString(), "--known-hosts", knownHosts.toString());
  }

  /** A frontend component running the stand-in, ready when it answers on {@code port}, as graph YAML lines. */
  String frontend(int port) {
    return String.join("\n",
        "  - name: frontend",
        "    cmd: [python3, " + standin + "]",
        "    run_config: {input: http, output: dyn}",
        "    parameters: {port: " + port + "}",
        "    readiness: {http: {port: " + port + ", path: /health}}",
        "    resources: {cpu: 1, memory: 128Mi}");
  }

  /** Writes graph {@code name} with these components (YAML lines); its jobs are cancelled when the session closes. */
  Path graph(String name, String... components) throws IOException {
    String yaml = "version: 1\nname: " + name + "\ncomponents:\n" + String.join("\n", components) + "\n";
    LoadResult loaded = GraphLoader.load(name + ".yaml", yaml, Target.SLURM);
    if (!loaded.ok()) throw new IllegalArgumentException("test graph invalid: " + loaded.errors());
    graphs.add(loaded.graph());
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  /**
   * {@code dynamo deploy --target slurm -f GRAPH --wait} against this session's service, partition and remote
   * directory (unless the flags name another), with the given login flags.
   */
  CliRun deploy(Path graph, List<String> flags) {
    List<String> args = new ArrayList<>(List.of("deploy", "--target", "slurm", "-f", graph.toString(), "--wait",
        "--timeout", "3m", "--address", service.connection().address(), "--partition", cluster.partition(),
        "--time", "00:05:00"));
    args.addAll(flags);
    if (!flags.contains("--remote-dir")) args.addAll(List.of("--remote-dir", remoteDir));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** {@code dynamo deploy diff --target slurm -f GRAPH} with this session's settings and the given flags. */
  CliRun diff(Path graph, List<String> flags) {
    List<String> args = new ArrayList<>(List.of("deploy", "diff", "--target", "slurm", "-f", graph.toString(),
        "--address", service.connection().address(), "--partition", cluster.partition(), "--time", "00:05:00",
        "--remote-dir", remoteDir));
    args.addAll(flags);
    return CliRun.of(args.toArray(String[]::new));
  }

  /** What {@code squeue} lists (any state) for these job names, one line per job; empty when there are none. */
  String queue(String format, String... jobNames) throws IOException {
    return ssh.run("squeue --noheader" + (format == null ? "" : " --format=" + format) + " --name="
        + String.join(",", jobNames), RemoteShell.Retry.SAFE).stdout().strip();
  }

  @Override
  public void close() throws IOException {
    try {
      service.shutdown(Duration.ofSeconds(5));
      // scancel takes one job name per --name (unlike squeue), so one call per job.
      for (Graph g : graphs) {
        for (Component c : g.components()) {
          for (int r = 0; r < c.replicas(); r++) {
            ssh.run("scancel --name=" + SlurmNames.jobName(g, c.name(), r), RemoteShell.Retry.SAFE);
          }
        }
      }
      ssh.run("rm -rf -- " + ssh.home() + "/" + remoteDir, RemoteShell.Retry.SAFE);
    } finally {
      ssh.close();
    }
  }
}
