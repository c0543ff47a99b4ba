package ai.dynamo.deploy.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The side effect of an uninstall: one idempotent, heartbeating activity on the target. */
@ActivityInterface
public interface UninstallActivities {

  /**
   * Removes everything the graph runs at the request's place and records that on the target; returns one phrase
   * saying what went. Waits until it is gone. Safe to repeat: a retry finds less to remove.
   */
  @ActivityMethod(name = "Uninstall")
  String uninstall(UninstallRequest request);
}
