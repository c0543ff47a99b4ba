package ai.dynamo.deploy.workflows.archfixture;

import java.util.UUID;

/** Deliberately bad workflow code (test scope only): randomness. {@code WorkflowDeterminismTest} must reject it. */
public final class DrawsRandomNumbers {
  String id() {
    return UUID.randomUUID().toString();
  }
}
