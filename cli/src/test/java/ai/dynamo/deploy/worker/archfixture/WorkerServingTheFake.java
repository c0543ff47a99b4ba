package ai.dynamo.deploy.worker.archfixture;

import ai.dynamo.deploy.testing.fake.FakeTarget;

/**
 * Deliberately bad main code (test scope only): a worker registering a test fixture. {@code ArchitectureTest} must
 * reject it.
 */
public final class WorkerServingTheFake {
  Object target() {
    return new FakeTarget();
  }
}
