package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.ExampleGraphs;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.testing.slurm.LocalSlurmCluster;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local Slurm cluster as the Slurm target sees it: an SSH endpoint and options from the cluster's env file, a
 * fresh remote directory per fixture, the stand-in server installed on the cluster, and cleanup of every job the
 * test's graphs started. Tests take the ports of their servers from {@code FreePorts} (all nodes share one host).
 */
final class ClusterFixture implements AutoCloseable {
  /** Where tests install examples/slurm/dynamo-standin.py on the cluster (the job user's home). */
  static final String STANDIN = "dynamo-standin/dynamo-standin.py";

  final LocalSlurmCluster cluster;
  final SshEndpoint endpoint;
  final SshConnection ssh;
  final String remoteDir;
  private final List<Graph> graphs = new ArrayList<>();

  ClusterFixture(String name) throws IOException {
    cluster = LocalSlurmCluster.require();
    endpoint = new SshEndpoint("local", cluster.setting("DYNAMO_SLURM_SSH_HOST"),
        Integer.parseInt(cluster.setting("DYNAMO_SLURM_SSH_PORT")), cluster.user(),
        List.of(Path.of(cluster.setting("DYNAMO_SLURM_SSH_KEY"))));
    ssh = new SshConnection(endpoint, options(knownHosts(), false));
    remoteDir = "dynamo-tests/slurm-target/" + name + "-" + System.nanoTime();
    String standin = ssh.home() + "/" + STANDIN;
    ssh.mkdirs(standin.substring(0, standin.lastIndexOf('/')), 0755);
    ssh.writeFile(standin, Files.readAllBytes(repoRoot().resolve("examples/slurm/dynamo-standin.py")), 0755);
  }

  Path knownHosts() {
    return Path.of(cluster.setting("DYNAMO_SLURM_KNOWN_HOSTS"));
  }

  static SshOptions options(Path knownHosts, boolean acceptNew) {
    return new SshOptions(knownHosts, acceptNew, null, java.time.Duration.ofSeconds(10),
        java.time.Duration.ofSeconds(5));
  }

  /** Absolute path of the stand-in on the cluster, for a graph's cmd. */
  String standinPath() throws IOException {
    return ssh.home() + "/" + STANDIN;
  }

  /** Settings for rendering: the cluster's partition and a short time limit. */
  Map<String, String> settings() {
    Map<String, String> s = new TreeMap<>();
    s.put("partition", cluster.partition());
    s.put("time", "00:05:00");
    s.put("remoteDir", remoteDir);
    return s;
  }

  /** {@link #settings} and the settings that reach the cluster over SSH: a deploy's target settings. */
  Map<String, String> targetSettings() {
    Map<String, String> s = settings();
    s.put(SlurmSettings.SSH_HOST, endpoint.user() + "@" + endpoint.hostName() + ":" + endpoint.port());
    s.put(SlurmSettings.SSH_KEY, endpoint.identityFiles().get(0).toString());
    s.put(SlurmSettings.KNOWN_HOSTS, knownHosts().toString());
    s.put(SlurmSettings.SSH_CONFIG, "/dev/null");
    return s;
  }

  /** Loads a graph from YAML text (validated for Slurm); its jobs are cancelled when the fixture closes. */
  Graph graph(String yaml) {
    LoadResult r = GraphLoader.load("test-graph.yaml", yaml, Target.SLURM);
    if (!r.ok()) throw new IllegalArgumentException("test graph invalid: " + r.errors());
    graphs.add(r.graph());
    return r.graph();
  }

  Graph register(Graph g) {
    graphs.add(g);
    return g;
  }

  RemoteLayout layout(Graph g) throws IOException {
    return new RemoteLayout(ssh.home(), remoteDir, g);
  }

  static Path repoRoot() {
    return ExampleGraphs.repositoryRoot();
  }

  /** Every job (any state) of the graphs this fixture loaded. */
  /**
   * The modes ({@code stat -c %a}) of the output and status file of a job's replica, once the job has created both
   * (bounded: 40 s; then whatever exists).
   */
  List<String> outputAndStatusModes(RemoteLayout layout, String component, String jobId) throws Exception {
    String output = layout.output(1, component, 0, jobId);
    String status = layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, component, 0);
    List<String> modes = List.of();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(40).toNanos();
    while (System.nanoTime() < deadline) {
      modes = ssh.run("stat -c %a " + Shell.quote(output) + " " + Shell.quote(status) + " 2>/dev/null",
          RemoteShell.Retry.SAFE).stdout().lines().toList();
      if (modes.size() == 2) break;
      Thread.sleep(300);
    }
    return modes;
  }

  List<SlurmJob> jobsOf(Graph g) throws IOException {
    List<String> names = new ArrayList<>();
    g.components().forEach(c -> {
      for (int r = 0; r < c.replicas(); r++) names.add(SlurmNames.jobName(g, c.name(), r));
    });
    return new SlurmClient(ssh).jobsByName(names);
  }

  /** The job IDs plain {@code squeue} lists for the login user (pending, running, completing: not ended). */
  List<String> queued() throws IOException {
    return ssh.run("squeue --me -h -o %i", RemoteShell.Retry.SAFE).stdout().lines().map(String::strip).toList();
  }

  @Override
  public void close() throws IOException {
    try {
      SlurmClient slurm = new SlurmClient(ssh);
      List<String> live = new ArrayList<>();
      for (Graph g : graphs) {
        for (SlurmJob j : jobsOf(g)) {
          if (!j.state().ended() && JobIdentity.parse(j.comment()) != null) live.add(j.id());
        }
      }
      if (!live.isEmpty()) slurm.kill(live);
      // The fixture's own directory only (unique per fixture); jobs are gone, so nothing writes there any more.
      ssh.run("rm -rf -- " + Shell.quote(ssh.home() + "/" + remoteDir), RemoteShell.Retry.SAFE);
    } finally {
      ssh.close();
    }
  }
}
