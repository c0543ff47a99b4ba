package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Names;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Names derived for Slurm, in one place. Every derived name uses only {@code [a-z0-9.-]} (features
 * {@code [A-Za-z0-9_]}), so it can be written into a script or an {@code #SBATCH} line without quoting.
 */
public final class SlurmNames {
  private SlurmNames() {}

  /**
   * The job name of one replica: {@code <graph>.<component>.<replica>} with graph and component as DNS labels
   * ({@code dynamo-graph.vllm-worker.1}). The dots cannot occur inside a label, so the name is unambiguous and
   * {@code squeue --name} finds exactly the jobs of one replica.
   */
  public static String jobName(Graph graph, String componentName, int replica) {
    return Names.dnsLabel(graph.name()) + "." + Names.dnsLabel(componentName) + "." + replica;
  }

  /**
   * The replica's directory and script stem below the rendered directory: {@code <component>-<replica>}
   * ({@code vllm-worker-1}); the script is {@code <stem>/<stem>.sbatch}.
   */
  public static String stem(String componentName, int replica) {
    return Names.dnsLabel(componentName) + "-" + replica;
  }

  /** The script's path below the rendered directory. */
  public static String scriptPath(String componentName, int replica) {
    String stem = stem(componentName, replica);
    return stem + "/" + stem + ".sbatch";
  }

  /** The job's output file in its directory (rank 0 of a multi-node group writes here too). */
  public static String output(String jobId) {
    return "slurm-" + jobId + ".out";
  }

  /** A multi-node group's worker rank {@code rank} (1..N-1) writes to a file of its own beside the job's. */
  public static String rankOutput(String jobId, int rank) {
    return "slurm-" + jobId + ".rank-" + rank + ".out";
  }

  /** {@link #rankOutput} as the srun {@code --output} pattern of a script ({@code %j}: the job ID). */
  static final String RANK_OUTPUT_PATTERN = "slurm-%j.rank-$dyn_rank.out";

  /**
   * A Slurm node feature for one {@code node_selector} entry: {@code key_value}, every character outside
   * {@code [A-Za-z0-9_]} replaced by {@code _} ({@code role: leader} is {@code role_leader},
   * {@code gpu.type: a100} is {@code gpu_type_a100}). Slurm's constraint syntax gives {@code & | , * : [ ] ( )}
   * and {@code =} meanings of their own, so only letters, digits and {@code _} are safe in a feature name.
   */
  public static String feature(String key, String value) {
    return featureChars(key) + "_" + featureChars(value);
  }

  /** All {@code node_selector} entries as one {@code --constraint}: features joined by {@code &} (all must hold). */
  public static String constraint(Map<String, String> nodeSelector) {
    StringJoiner all = new StringJoiner("&");
    nodeSelector.forEach((k, v) -> all.add(feature(k, v)));
    return all.toString();
  }

  private static String featureChars(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      out.append(ok ? c : '_');
    }
    return out.toString();
  }
}
