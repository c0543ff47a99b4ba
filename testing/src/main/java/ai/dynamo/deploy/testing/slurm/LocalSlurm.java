package ai.dynamo.deploy.testing.slurm;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the {@link LocalSlurmCluster} into test, lifecycle-method and constructor parameters, failing (with
 * {@code DYNAMO_REQUIRE_SLURM=1}) or skipping the test when the cluster is not there:
 *
 * <pre>
 * &#64;ExtendWith(LocalSlurm.class)
 * class MyClusterTest {
 *   &#64;BeforeEach void setUp(LocalSlurmCluster cluster) { ... }
 * </pre>
 */
public final class LocalSlurm implements ParameterResolver, BeforeAllCallback {
  /**
   * Skips (or fails) the class before any instance or parameter is made: an abort thrown while resolving a parameter
   * is reported as an error, not a skipped test (JUnit wraps it in a ParameterResolutionException).
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    LocalSlurmCluster.require();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalSlurmCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return LocalSlurmCluster.require();
  }
}
