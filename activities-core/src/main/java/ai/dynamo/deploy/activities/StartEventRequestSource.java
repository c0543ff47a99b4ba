package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.StartEvent;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.WorkflowClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@link DeployRequest} from the first event of the activity's own workflow run (one small history call
 * per run and worker), and keeps the last few in memory. This keeps the IR out of every activity's input: the
 * history holds it once, in the start event.
 */
public final class StartEventRequestSource implements RequestSource {
  private static final int CACHED_RUNS = 32;

  private final Map<String, DeployRequest> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DeployRequest> eldest) {
          return size() > CACHED_RUNS;
        }
      };

  @Override
  public DeployRequest requestOf(ActivityExecutionContext activity) {
    ActivityInfo info = activity.getInfo();
    String runId = info.getRunId();
    synchronized (cache) {
      DeployRequest cached = cache.get(runId);
      if (cached != null) return cached;
    }
    DeployRequest request = fetch(activity.getWorkflowClient(), info);
    synchronized (cache) {
      cache.put(runId, request);
    }
    return request;
  }

  private static DeployRequest fetch(WorkflowClient client, ActivityInfo info) {
    return StartEvent.request(
        client.getWorkflowServiceStubs().blockingStub().getWorkflowExecutionHistory(
            StartEvent.call(info.getNamespace(), info.getWorkflowId(), info.getRunId())),
        client.getOptions().getDataConverter());
  }
}
