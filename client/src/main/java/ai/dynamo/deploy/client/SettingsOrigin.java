package ai.dynamo.deploy.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the settings of a deploy found by name came from: the record (the settings its newest run was started with,
 * {@link DeployMemo}) and the command line, whose flags win, one setting each (as {@code helm upgrade
 * --reuse-values}). Verbs whose result the settings shape ({@code deploy}, {@code diff}) print {@link #notes}.
 *
 * @param runId the run whose settings were reused, or null when Temporal knows no run (the flags alone)
 * @param recorded the settings of that run (only its reach settings when not {@code complete})
 * @param flags the settings the command line gave
 * @param complete whether {@code recorded} are all the run's settings (false: a run from before memos kept them all,
 *     whose start event could not be read either)
 */
public record SettingsOrigin(String runId, Map<String, String> recorded, Map<String, String> flags,
    boolean complete) {
  public SettingsOrigin {
    recorded = Map.copyOf(recorded);
    flags = Map.copyOf(flags);
  }

  /** Settings from the command line alone: nothing recorded was used. */
  public static SettingsOrigin flagsOnly(Map<String, String> flags) {
    return new SettingsOrigin(null, Map.of(), flags, true);
  }

  /** The recorded settings a flag replaced with another value: key to the recorded value. */
  public Map<String, String> replaced() {
    Map<String, String> replaced = new TreeMap<>();
    flags.forEach((k, v) -> {
      if (recorded.containsKey(k) && !recorded.get(k).equals(v)) replaced.put(k, recorded.get(k));
    });
    return replaced;
  }

  /** The recorded settings used as they are (no flag gave them). */
  public Map<String, String> reused() {
    Map<String, String> reused = new TreeMap<>(recorded);
    reused.keySet().removeAll(flags.keySet());
    return reused;
  }

  /**
   * What to tell the user, one line each: the settings taken from the record, those the command line changed, and
   * what could not be recovered. Empty when the record adds or changes nothing (the flags say it all).
   */
  public List<String> notes(String workflowId) {
    List<String> notes = new ArrayList<>();
    if (runId == null) return notes;
    Map<String, String> reused = reused();
    Map<String, String> replaced = replaced();
    if (!reused.isEmpty()) {
      notes.add("settings from the record of " + workflowId + " (run " + runId + "): " + list(reused));
    }
    replaced.forEach((k, old) -> notes.add("setting " + k + "=" + show(flags.get(k)) + " from the command line"
        + " replaces the recorded " + k + "=" + show(old)));
    Map<String, String> added = new TreeMap<>(flags);
    added.keySet().removeAll(recorded.keySet());
    if (!added.isEmpty() && (!reused.isEmpty() || !replaced.isEmpty())) {
      notes.add("settings from the command line, not in the record: " + list(added));
    }
    if (!complete) {
      notes.add("run " + runId + " of " + workflowId + " was started before deploys kept all their settings, and its"
          + " start event could not be read: only where it is and how to reach it are known; settings that shape the"
          + " jobs or objects (partition, account, time, sbatch options, container, pod settings, strategy) could"
          + " not be recovered: give them again as flags or with --profile");
    }
    return notes;
  }

  private static String list(Map<String, String> settings) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(settings).forEach((k, v) -> parts.add(k + "=" + show(v)));
    return String.join(", ", parts);
  }

  /** List settings hold one entry per line: shown comma-separated on one line. */
  private static String show(String value) {
    return value.replace("\n", ",");
  }
}
