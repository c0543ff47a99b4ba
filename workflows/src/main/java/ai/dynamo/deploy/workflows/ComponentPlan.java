package ai.dynamo.deploy.workflows;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What the workflow needs to know about one component to orchestrate it; never the rendered files.
 *
 * @param name component name as written in the graph
 * @param replicas replicas (a multi-node replica is a whole group)
 * @param nodesPerReplica nodes per replica, 1 unless a multi-node group
 * @param batch a run-to-completion component: "ready" means completed
 * @param summary a short human description for activity summaries, e.g. {@code 2 replicas} or
 *     {@code 1 replica x 2 nodes}
 */
public record ComponentPlan(String name, int replicas, int nodesPerReplica, boolean batch, String summary) {

  @JsonIgnore // derived, not data
  public boolean isGroup() {
    return nodesPerReplica > 1;
  }

  /** The stages in the order they must be brought up. */
  public List<Stage> stages() {
    return isGroup() ? List.of(Stage.LEADER, Stage.WORKERS) : List.of(Stage.ALL);
  }

  /** Units (pods, Slurm nodes) a stage brings up. */
  public int desired(Stage stage) {
    return stage.units(replicas, nodesPerReplica);
  }

  /** Units of the whole component. */
  public int desired() {
    return desired(Stage.ALL);
  }
}
