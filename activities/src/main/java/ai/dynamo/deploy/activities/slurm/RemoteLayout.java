package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.render.slurm.SlurmNames;

/**
 * Where a graph lives on the cluster, below the {@code remoteDir} setting (default {@link #DEFAULT_REMOTE_DIR},
 * relative paths start at the login user's home; it must be on a file system the compute nodes share):
 *
 * <pre>
 * &lt;remoteDir&gt;/&lt;graph label&gt;/        0700
 *   state.json                    current revision and history (written atomically)
 *   secrets/                      0700, secret files 0600 (docs/slurm.md: secrets); DYNAMO_SECRETS_DIR points here
 *   rev-&lt;N&gt;/                       0700, the rendered scripts of revision N; sbatch runs here
 *     &lt;component&gt;-&lt;replica&gt;/        the job's directory: script, slurm-&lt;jobid&gt;.out (and a group's
 *                                   slurm-&lt;jobid&gt;.rank-&lt;R&gt;.out), job-id, leader-addr, start-workers, status
 * </pre>
 */
public final class RemoteLayout {
  public static final String DEFAULT_REMOTE_DIR = ".dynamo/deploy";

  private final String graphDir;

  /**
   * @param home the login user's home (absolute), for a relative remoteDir
   * @param remoteDir the setting, or null for the default
   */
  public RemoteLayout(String home, String remoteDir, Graph graph) {
    String dir = remoteDir == null || remoteDir.isBlank() ? DEFAULT_REMOTE_DIR : remoteDir.strip();
    for (char c : dir.toCharArray()) {
      if (Character.isISOControl(c)) {
        throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "remoteDir contains a control character");
      }
    }
    for (String part : dir.split("/")) {
      if (part.equals("..")) throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "remoteDir must not contain ..");
    }
    String base = dir.startsWith("/") ? dir : home + "/" + dir;
    this.graphDir = trimSlash(base) + "/" + Names.dnsLabel(graph.name());
  }

  public String graphDir() {
    return graphDir;
  }

  public String stateFile() {
    return graphDir + "/state.json";
  }

  public String secretsDir() {
    return graphDir + "/secrets";
  }

  public String revisionDir(int revision) {
    return graphDir + "/rev-" + revision;
  }

  public String jobDir(int revision, String component, int replica) {
    return revisionDir(revision) + "/" + SlurmNames.stem(component, replica);
  }

  /** Which spec a revision's jobs of the component run (one line), for isCurrent: revision numbers are reused. */
  public String specDigestFile(int revision, String component) {
    return revisionDir(revision) + "/" + component + ".spec-digest";
  }

  /** The script, relative to the revision directory (where sbatch runs). */
  public String script(String component, int replica) {
    return SlurmNames.scriptPath(component, replica);
  }

  /** The job ID the target recorded after submitting (one line), so cleanup works without Temporal. */
  public String jobIdFile(int revision, String component, int replica) {
    return jobDir(revision, component, replica) + "/job-id";
  }

  public String output(int revision, String component, int replica, String jobId) {
    return jobDir(revision, component, replica) + "/" + SlurmNames.output(jobId);
  }

  /** A multi-node group's worker rank's own output file (rank 0, the leader, writes to {@link #output}). */
  public String rankOutput(int revision, String component, int replica, String jobId, int rank) {
    return jobDir(revision, component, replica) + "/" + SlurmNames.rankOutput(jobId, rank);
  }

  /** Written by a multi-node job: {@code host:port} of its leader. */
  public String leaderAddrFile(int revision, String component, int replica) {
    return jobDir(revision, component, replica) + "/leader-addr";
  }

  /** The job's status file (docs/slurm.md: status file), relative to {@link #graphDir()}. */
  public static String statusFileInGraphDir(int revision, String component, int replica) {
    return "rev-" + revision + "/" + SlurmNames.stem(component, replica) + "/status";
  }

  /** Created by the target once the leader is ready; the job then starts its workers. */
  public String startWorkersFile(int revision, String component, int replica) {
    return jobDir(revision, component, replica) + "/start-workers";
  }

  private static String trimSlash(String s) {
    String t = s;
    while (t.length() > 1 && t.endsWith("/")) t = t.substring(0, t.length() - 1);
    return t;
  }
}
