package ai.dynamo.deploy.activities.slurm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which deploy a job belongs to, carried in the job's {@code --comment} next to its deterministic name
 * ({@code <graph>.<component>.<replica>}): {@code dynamo-deploy rev=3 wf=<workflow id> run=<run id>}. Values are
 * kept to characters that survive Slurm's formats (space and {@code |} become {@code _}).
 *
 * @param revision the revision the job belongs to
 * @param workflowId the deploy's workflow ID
 * @param runId the deploy's run ID
 */
public record JobIdentity(int revision, String workflowId, String runId) {
  static final String PREFIX = "dynamo-deploy";

  public JobIdentity {
    workflowId = clean(workflowId);
    runId = clean(runId);
  }

  public String comment() {
    return PREFIX + " rev=" + revision + " wf=" + workflowId + " run=" + runId;
  }

  /** The identity in a job's comment, or null when the job is not one of ours. */
  public static JobIdentity parse(String comment) {
    if (comment == null || !comment.startsWith(PREFIX + " ")) return null;
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : comment.substring(PREFIX.length()).strip().split(" ")) {
      int eq = token.indexOf('=');
      if (eq > 0) fields.put(token.substring(0, eq), token.substring(eq + 1));
    }
    try {
      return new JobIdentity(Integer.parseInt(fields.getOrDefault("rev", "")), fields.getOrDefault("wf", ""),
          fields.getOrDefault("run", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Same deploy and revision (a reset or retried run of the same deploy has the same workflow ID). */
  public boolean sameRevision(JobIdentity other) {
    return other != null && other.revision == revision && other.workflowId.equals(workflowId);
  }

  /** A job of the deploy with this workflow ID (any revision, any run). */
  public boolean ofDeploy(String deployWorkflowId) {
    return workflowId.equals(clean(deployWorkflowId));
  }

  private static String clean(String s) {
    return s == null ? "" : s.replaceAll("[\\s|]", "_");
  }
}
