package ai.dynamo.deploy.activities;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live revision as a target's own records have it, per component, for the update planning.
 *
 * @param revision the live revision, 0 when none
 * @param components per component of the live revision: which digest runs, from which revision, how healthy; empty
 *     when the target keeps no per-component records ({@link #perComponent} false)
 * @param perComponent whether the target keeps per-component records; without them every component counts as
 *     changed (the behaviour before per-component updates)
 */
public record LiveRevision(int revision, Map<String, Component> components, boolean perComponent) {
  public LiveRevision {
    components = new LinkedHashMap<>(components);
  }

  /** A target without per-component records, {@code revision} live. */
  public static LiveRevision unknown(int revision) {
    return new LiveRevision(revision, Map.of(), false);
  }

  /**
   * One component of the live revision.
   *
   * @param digest the component digest it was started from ({@link ComponentDigests}); empty when unknown
   * @param revision the revision whose files and jobs/objects run it (older than the live one when adopted)
   * @param healthy the cheap, bounded health check passed (Slurm: every job RUNNING, or COMPLETED for batch;
   *     Kubernetes: every workload object exists and is ready)
   * @param health what the check saw, for messages ({@code job 123 FAILED})
   */
  public record Component(String digest, int revision, boolean healthy, String health) {}
}
