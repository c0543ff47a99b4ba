package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.temporal.TemporalConnection;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Connection flags shared by every command that talks to Temporal. They override Temporal's own configuration
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, temporal.toml profiles). The namespace
 * flag is {@code --temporal-namespace} because {@code -n/--namespace} is the Kubernetes namespace.
 */
public final class TemporalOptions {
  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend address (default: TEMPORAL_ADDRESS, the temporal.toml profile, else 127.0.0.1:7233).")
  String address;

  @Option(names = "--temporal-namespace", paramLabel = "NS",
      description = "Temporal namespace (default: TEMPORAL_NAMESPACE, the profile, else 'default').")
  String namespace;

  @Option(names = "--temporal-profile", paramLabel = "NAME",
      description = "Profile in temporal.toml (default: TEMPORAL_PROFILE, else 'default'; file: TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml).")
  String profile;

  public TemporalConnection resolve() {
    return TemporalConnection.resolve(address, namespace, profile, System.getenv());
  }

  /** Connects (or fails with exit code 4 naming the address), runs {@code body} with a client, disconnects. */
  public <T> T withClient(Function<WorkflowClient, T> body) {
    TemporalConnection connection = resolve();
    WorkflowServiceStubs stubs = connection.connect();
    try {
      return body.apply(connection.client(stubs));
    } finally {
      stubs.shutdown();
    }
  }
}
