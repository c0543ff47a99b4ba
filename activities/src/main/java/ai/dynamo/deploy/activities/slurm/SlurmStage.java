package ai.dynamo.deploy.activities.slurm;

/** Which part of a component a readiness check looks at (mirrors the workflow's stages). */
public enum SlurmStage {
  /** an ordinary component: the whole job */
  ALL,
  /** rank 0 of a multi-node group: ready when its readiness rule holds on the leader node */
  LEADER,
  /** ranks 1..n-1 of a multi-node group: ready when a step of the job runs on every node */
  WORKERS
}
