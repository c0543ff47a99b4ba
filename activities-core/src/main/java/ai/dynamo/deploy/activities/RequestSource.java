package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.DeployRequest;
import io.temporal.activity.ActivityExecutionContext;

/** Where an activity gets the {@link DeployRequest} of its workflow (activity inputs do not repeat the IR). */
@FunctionalInterface
public interface RequestSource {
  DeployRequest requestOf(ActivityExecutionContext activity);
}
