package ai.dynamo.deploy.worker;

import io.temporal.worker.Worker;
import java.util.Map;

/**
 * What a dynamo worker registers: the deploy workflow and its activities, bound to the target registry. The fake
 * target (scriptable, for tests and demos) is registered only when {@code DYNAMO_ENABLE_FAKE_TARGET=1}.
 */
public final class DeployRegistration {
  /** Environment variable that enables the fake target on a worker. */
  public static final String ENABLE_FAKE_TARGET = "DYNAMO_ENABLE_FAKE_TARGET";

  private final boolean fakeTarget;

  private DeployRegistration(boolean fakeTarget) {
    this.fakeTarget = fakeTarget;
  }

  public static DeployRegistration fromEnvironment(Map<String, String> env) {
    return new DeployRegistration("1".equals(env.get(ENABLE_FAKE_TARGET)));
  }

  public boolean fakeTargetEnabled() {
    return fakeTarget;
  }

  void register(Worker worker) {
    // Filled in when the engine (DeployWorkflowImpl, activities, target registry) is merged.
    throw new UnsupportedOperationException("deploy engine not merged yet");
  }
}
