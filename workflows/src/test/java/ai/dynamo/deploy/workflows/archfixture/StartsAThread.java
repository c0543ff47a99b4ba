package ai.dynamo.deploy.workflows.archfixture;

import java.util.concurrent.Executors;

/** Deliberately bad workflow code (test scope only): threads. {@code WorkflowDeterminismTest} must reject it. */
public final class StartsAThread {
  void inBackground(Runnable work) {
    Executors.newSingleThreadExecutor().submit(work);
  }
}
