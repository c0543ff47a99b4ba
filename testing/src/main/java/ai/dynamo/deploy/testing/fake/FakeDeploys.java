package ai.dynamo.deploy.testing.fake;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.time.Duration;
import java.util.Map;

/** Deploy requests for the {@link FakeTarget} at the place {@value #LOCATION}, scripted by {@code fake.*} settings. */
public final class FakeDeploys {
  private FakeDeploys() {}

  /** Where these requests deploy: their workflow IDs are {@code deploy/fake/lab/<graph>}. */
  public static final String LOCATION = "lab";

  /** A request with a 30-minute readiness timeout. */
  public static DeployRequest request(Graph graph, Map<String, String> settings) {
    return request(graph, settings, Duration.ofMinutes(30));
  }

  public static DeployRequest request(Graph graph, Map<String, String> settings, Duration readinessTimeout) {
    return DeployRequest.of(graph, new TargetSpec(FakeTarget.KIND, LOCATION, settings),
        new DeployOptions(readinessTimeout, Duration.ofMinutes(5), "test@host"));
  }
}
