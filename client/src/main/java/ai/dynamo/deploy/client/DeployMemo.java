package ai.dynamo.deploy.client;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.PlaceFlags;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowExecutionMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a deploy (and an uninstall) keeps in its workflow memo besides the spec digest, so that any verb finds it by
 * graph name and acts on it with the settings it was started with: the target kind, the location, and every target
 * setting (where the target is and how to reach it, and what shapes the jobs or objects: partition, time, pod
 * settings, strategy, ...). Settings never hold a secret value (secrets are {@code ${{ secrets.X }}} references in
 * the graph, resolved on the target; files are paths), so neither does the memo.
 *
 * <p>Runs started before memos kept every setting hold only {@link #REACH_SETTINGS}: their memo is not
 * {@link #complete}, and the resolver reads the rest from the run's start event where it can.
 *
 * @param kind {@code k8s}, {@code slurm}, or a contributed kind
 * @param location the place within the kind, as in the workflow ID
 * @param settings the settings the deploy was started with (only the reach settings when not complete)
 * @param complete whether {@code settings} are all the run's settings
 */
public record DeployMemo(String kind, String location, Map<String, String> settings, boolean complete) {
  public static final String TARGET = "target";
  public static final String LOCATION = "location";
  public static final String SETTINGS = "settings";
  /** Memo key whose value {@link #ALL} says the memo's settings are all of them (absent in older runs). */
  public static final String SETTINGS_KEPT = "settingsKept";
  static final String ALL = "all";

  /**
   * Setting keys that locate and reach a target (the {@link TargetSettingKeys} names): Kubernetes namespace, context
   * and API server; the Slurm login node, ssh config, key and known_hosts files (paths, never keys), the remote
   * directory; a contributed target's {@code location}. Older memos hold only these; picking a place needs them all.
   */
  public static final Set<String> REACH_SETTINGS = PlaceFlags.REACH_SETTINGS;

  public DeployMemo {
    settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /** The memo of a deploy to {@code target}: all its settings. */
  public static DeployMemo of(TargetSpec target) {
    Map<String, String> all = new TreeMap<>();
    target.settings().forEach((k, v) -> {
      if (v != null) all.put(k, v);
    });
    return new DeployMemo(target.kind(), target.location(), all, true);
  }

  /** The memo entries to start a workflow with, the spec digest among them. */
  Map<String, Object> entries(String specDigest) {
    Map<String, Object> memo = new LinkedHashMap<>();
    if (specDigest != null) memo.put(DeploySearchAttributes.MEMO_SPEC_DIGEST, specDigest);
    memo.put(TARGET, kind);
    memo.put(LOCATION, location);
    memo.put(SETTINGS, settings);
    if (complete) memo.put(SETTINGS_KEPT, ALL);
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
        settings instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of(),
        ALL.equals(run.getMemo(SETTINGS_KEPT, String.class)));
  }

  /** Kind and location from a deploy's workflow ID, no settings. */
  public static DeployMemo fromWorkflowId(String workflowId) {
    List<String> parts = List.of(workflowId.split("/", -1));
    String kind = parts.size() >= 3 ? parts.get(1) : "";
    String location = parts.size() >= 4 ? String.join("/", parts.subList(2, parts.size() - 1)) : "";
    return new DeployMemo(kind, location, Map.of(), false);
  }

  /** The reach settings of this memo (what picks and reaches its place). */
  public Map<String, String> reach() {
    Map<String, String> reach = new TreeMap<>(settings);
    reach.keySet().retainAll(REACH_SETTINGS);
    return reach;
  }

  /** The target spec this memo names, with the settings it holds. */
  public TargetSpec target() {
    return new TargetSpec(kind, location, settings);
  }

  /** The deploy's workflow ID for a graph at this place. */
  public String workflowId(String graph) {
    return DeployIds.workflowId(kind, location, graph);
  }
}
