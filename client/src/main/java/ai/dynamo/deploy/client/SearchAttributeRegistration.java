package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The deploy's typed search attributes (graph, target, phase, revision) on a server, which make deploys findable in
 * the Temporal UI. A server must have them registered before a workflow may carry them; {@code dynamo server} and
 * the docker-compose stack register them, and {@link DeployStarter} sets only those the server has.
 */
public final class SearchAttributeRegistration {
  private SearchAttributeRegistration() {}

  /** Name to type, as the server registers them. */
  public static Map<String, IndexedValueType> definitions() {
    Map<String, IndexedValueType> defs = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : DeploySearchAttributes.ALL) defs.put(key.getName(), key.getValueType());
    return defs;
  }

  /** Registers the attributes (the Java test server and admin tools accept this); already registered is fine. */
  public static void register(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = operator(stubs);
    try {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(definitions())
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e;
    } finally {
      operator.shutdown();
    }
  }

  /**
   * Names of the search attributes (custom and system) registered in the namespace; empty when the server does not
   * tell (Temporal's Java test server, no operator service, no permission).
   */
  public static Optional<Set<String>> registered(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = operator(stubs);
    try {
      ListSearchAttributesResponse response =
          operator
              .blockingStub()
              .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
      Set<String> names = new HashSet<>(response.getCustomAttributesMap().keySet());
      names.addAll(response.getSystemAttributesMap().keySet());
      return Optional.of(names);
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    } finally {
      operator.shutdown();
    }
  }

  private static OperatorServiceStubs operator(WorkflowServiceStubs stubs) {
    return OperatorServiceStubs.newServiceStubs(
        // Same channel and credentials (API key, metadata) as the workflow service stubs.
        OperatorServiceStubsOptions.newBuilder(stubs.getOptions())
            .setChannel(stubs.getRawChannel())
            .setTarget(null)
            .setSslContext(null)
            .setEnableHttps(false)
            .validateAndBuildWithDefaults());
  }
}
