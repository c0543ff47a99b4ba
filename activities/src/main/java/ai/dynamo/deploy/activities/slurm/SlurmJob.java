package ai.dynamo.deploy.activities.slurm;

/**
 * One job as Slurm reports it.
 *
 * @param id the job ID
 * @param name the job name ({@code <graph>.<component>.<replica>})
 * @param state the state, mapped
 * @param stateText the state exactly as Slurm printed it (shown when the state is {@link SlurmJobState#UNKNOWN})
 * @param nodes the node list in Slurm's compact form ({@code node[1-2]}), empty while pending
 * @param reason Slurm's reason (why pending, why it ended), {@code None} when there is none
 * @param comment the job's comment: the deploy identity the target submitted it with
 */
public record SlurmJob(
    String id, String name, SlurmJobState state, String stateText, String nodes, String reason, String comment) {

  /** "job 42 (demo.frontend.0) is RUNNING on node1". */
  public String describe() {
    String where = nodes == null || nodes.isBlank() || nodes.equals("(null)") ? "" : " on " + nodes;
    String why = reason == null || reason.isBlank() || reason.equals("None") ? "" : " (" + reason + ")";
    return "job " + id + " (" + name + ") is " + stateText + where + why;
  }
}
