package ai.dynamo.deploy.workflows;

import java.util.List;

/** What a worker registers of this module: the workflow implementations (the worker and the test environments). */
public final class DeployWorkflows {
  private DeployWorkflows() {}

  /** Every workflow implementation a dynamo worker serves on {@link DeployIds#TASK_QUEUE}. */
  public static final List<Class<?>> IMPLEMENTATIONS =
      List.of(DeployWorkflowImpl.class, TargetRecordsWorkflowImpl.class, DiffWorkflowImpl.class,
          UninstallWorkflowImpl.class);

  /** {@link #IMPLEMENTATIONS} as the array {@code Worker.registerWorkflowImplementationTypes} takes. */
  public static Class<?>[] implementations() {
    return IMPLEMENTATIONS.toArray(Class<?>[]::new);
  }
}
