package ai.dynamo.deploy.workflows;

/**
 * How a deploy ended.
 *
 * @param phase a terminal phase: READY, ROLLED_BACK, FAILED, TIMED_OUT or CANCELLED
 * @param revision the revision that is live afterwards (the new one when READY, the previous one after a
 *     rollback, 0 when nothing is)
 * @param message one human sentence: what happened and, on failure, why
 * @param progress the final progress, for the CLI's last redraw
 */
public record DeployResult(Phase phase, int revision, String message, DeployProgress progress) {}
