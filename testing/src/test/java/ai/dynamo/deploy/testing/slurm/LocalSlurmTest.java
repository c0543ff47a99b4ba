package ai.dynamo.deploy.testing.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** How a cluster test is reported when there is no cluster: skipped, or (required) failed with the reason. */
class LocalSlurmTest {
  @TempDir Path noCluster;

  @Test
  void aClusterTestWithoutAClusterIsSkippedOrFailsWithTheReasonNeverErrorsInParameterResolution() {
    Outcomes outcomes = runWithClusterDir(noCluster, SampleClusterTest.class);

    assertFalse(SampleClusterTest.ran, "the test body ran without a cluster");
    assertTrue(outcomes.parameterErrors.isEmpty(), "reported as an error in parameter resolution: "
        + outcomes.parameterErrors);
    if ("1".equals(System.getenv("DYNAMO_REQUIRE_SLURM"))) {
      assertEquals(1, outcomes.failures.size(), "required: the class fails once: " + outcomes.failures);
      assertTrue(outcomes.failures.get(0).contains("local Slurm cluster not available")
          && outcomes.failures.get(0).contains(noCluster.resolve("env").toString()), outcomes.failures.get(0));
      assertTrue(outcomes.skipped.isEmpty(), "required, yet skipped: " + outcomes.skipped);
    } else {
      assertTrue(outcomes.failures.isEmpty(), "not required, yet failed: " + outcomes.failures);
      assertEquals(1, outcomes.skipped.size(), "not required: the class is skipped: " + outcomes.skipped);
      assertTrue(outcomes.skipped.get(0).contains("local Slurm cluster not available"), outcomes.skipped.get(0));
    }
  }

  private static Outcomes runWithClusterDir(Path dir, Class<?> testClass) {
    Outcomes outcomes = new Outcomes();
    String before = System.getProperty(LocalSlurmCluster.DIR_PROPERTY);
    System.setProperty(LocalSlurmCluster.DIR_PROPERTY, dir.toString());
    try {
      LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
          .build();
      Launcher launcher = LauncherFactory.create();
      launcher.execute(request, outcomes);
    } finally {
      if (before == null) System.clearProperty(LocalSlurmCluster.DIR_PROPERTY);
      else System.setProperty(LocalSlurmCluster.DIR_PROPERTY, before);
    }
    return outcomes;
  }

  /** What the launcher reported for the sample class and its test. */
  private static final class Outcomes implements TestExecutionListener {
    final List<String> failures = new ArrayList<>();
    final List<String> parameterErrors = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
      skipped.add(id.getDisplayName() + ": " + reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      Throwable t = result.getThrowable().orElse(null);
      if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
        skipped.add(id.getDisplayName() + ": " + (t == null ? "" : t.getMessage()));
      } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
        if (t instanceof ParameterResolutionException) parameterErrors.add(id.getDisplayName() + ": " + t);
        else failures.add(id.getDisplayName() + ": " + (t == null ? "" : t.getMessage()));
      }
    }
  }

  /** A cluster test as the modules write them; run only through the launcher above (a nested class is not picked up). */
  @ExtendWith(LocalSlurm.class)
  static class SampleClusterTest {
    static volatile boolean ran;

    @Test
    void usesTheCluster(LocalSlurmCluster cluster) {
      ran = true;
    }
  }
}
