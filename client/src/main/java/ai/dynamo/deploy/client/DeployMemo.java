package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowExecutionMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a deploy (and an uninstall) keeps in its workflow memo besides the spec digest, so that any verb finds it by
 * graph name and reaches its target with the settings it was started with: the target kind, the location, and the
 * settings that say where the target is and how to get there ({@link #REACH_SETTINGS}). Nothing else goes in:
 * never a secret (settings never hold one; this allow-list keeps the memo to what finding needs even so).
 *
 * @param kind {@code k8s}, {@code slurm}, or a contributed kind
 * @param location the place within the kind, as in the workflow ID
 * @param settings the reach settings the deploy was started with
 */
public record DeployMemo(String kind, String location, Map<String, String> settings) {
  public static final String TARGET = "target";
  public static final String LOCATION = "location";
  public static final String SETTINGS = "settings";

  /**
   * Setting keys that locate and reach a target (the {@code TargetSettings} names): Kubernetes namespace, context and
   * API server; the Slurm login node, ssh config, key and known_hosts files (paths, never keys), the remote
   * directory; a contributed target's {@code location}.
   */
  public static final Set<String> REACH_SETTINGS = Set.of(
      "namespace", "context", "server",
      "sshHost", "sshConfig", "sshKey", "knownHosts", "acceptNewHostKey", "remoteDir",
      "location");

  public DeployMemo {
    settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /** The memo of a deploy to {@code target}: its reach settings only. */
  public static DeployMemo of(TargetSpec target) {
    Map<String, String> reach = new TreeMap<>();
    target.settings().forEach((k, v) -> {
      if (REACH_SETTINGS.contains(k) && v != null) reach.put(k, v);
    });
    return new DeployMemo(target.kind(), target.location(), reach);
  }

  /** The memo entries to start a workflow with, the spec digest among them. */
  Map<String, Object> entries(String specDigest) {
    Map<String, Object> memo = new LinkedHashMap<>();
    if (specDigest != null) memo.put(DeploySearchAttributes.MEMO_SPEC_DIGEST, specDigest);
    memo.put(TARGET, kind);
    memo.put(LOCATION, location);
    memo.put(SETTINGS, settings);
    return memo;
  }

  /**
   * The memo of a run; a run started before memos held the target (or by another client) gets kind and location
   * from its workflow ID ({@code deploy/<kind>/<location>/<graph>}) and no settings.
   */
  @SuppressWarnings("unchecked")
  public static DeployMemo of(WorkflowExecutionMetadata run) {
    String workflowId = run.getExecution().getWorkflowId();
    Object kind = run.getMemo(TARGET, String.class);
    Object location = run.getMemo(LOCATION, String.class);
    Object settings = run.getMemo(SETTINGS, Map.class);
    if (kind == null || location == null) return fromWorkflowId(workflowId);
    return new DeployMemo(kind.toString(), location.toString(),
        settings instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of());
  }

  /** Kind and location from a deploy's workflow ID, no settings. */
  public static DeployMemo fromWorkflowId(String workflowId) {
    List<String> parts = List.of(workflowId.split("/", -1));
    String kind = parts.size() >= 3 ? parts.get(1) : "";
    String location = parts.size() >= 4 ? String.join("/", parts.subList(2, parts.size() - 1)) : "";
    return new DeployMemo(kind, location, Map.of());
  }

  /** The target spec this memo names (reach settings only: enough to read records, uninstall, read logs). */
  public TargetSpec target() {
    return new TargetSpec(kind, location, settings);
  }

  /** The deploy's workflow ID for a graph at this place. */
  public String workflowId(String graph) {
    return DeployIds.workflowId(kind, location, graph);
  }
}
