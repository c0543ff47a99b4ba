package ai.dynamo.deploy.workflows.archfixture;

import java.time.Instant;

/** Deliberately bad workflow code (test scope only): the wall clock. {@code WorkflowDeterminismTest} must reject it. */
public final class ReadsTheClock {
  long deadline() {
    return System.currentTimeMillis() + Instant.now().getNano();
  }
}
