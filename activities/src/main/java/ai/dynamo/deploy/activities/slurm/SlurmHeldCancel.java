package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import ai.dynamo.deploy.workflows.HeldCancelled;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The abort of a paused deploy on Slurm: cancels the jobs it submitted held that were never released
 * (docs/slurm-target.md "Held starts"). A job counts only when it is of this deploy run and revision (its comment)
 * and its directory still has {@code hold} and no {@code start}, so a released job, which may be running the user's
 * process, is never touched. Safe to retry: a second call finds the same jobs CANCELLED and answers the same.
 */
final class SlurmHeldCancel {
  private final Duration cancelGrace;

  SlurmHeldCancel(Duration cancelGrace) {
    this.cancelGrace = cancelGrace;
  }

  HeldCancelled run(DeployContext ctx, SlurmSession s, int revision, List<String> components, ReadinessWatch watch)
      throws IOException {
    Map<String, String> componentOfJob = new LinkedHashMap<>();
    Map<String, String> dirOfJob = new LinkedHashMap<>();
    for (String name : components) {
      Component c = ctx.component(name);
      for (int r = 0; r < c.replicas(); r++) {
        String job = SlurmNames.jobName(ctx.graph(), name, r);
        componentOfJob.put(job, name);
        dirOfJob.put(job, s.layout().jobDir(revision, name, r));
      }
    }
    if (componentOfJob.isEmpty()) return HeldCancelled.none();
    Set<String> held = stillHeld(s, dirOfJob.values());
    JobIdentity identity = RevisionJobs.identity(ctx, revision);
    List<String> alive = new ArrayList<>();
    List<String> cancelled = new ArrayList<>();
    Set<String> named = new LinkedHashSet<>();
    for (SlurmJob j : s.slurm().jobsByName(componentOfJob.keySet())) {
      if (!identity.equals(JobIdentity.parse(j.comment())) || !held.contains(dirOfJob.get(j.name()))) continue;
      if (!j.state().ended()) {
        alive.add(j.id());
      } else if (j.state() != SlurmJobState.CANCELLED) {
        continue; // ended on its own (its time limit while held): nothing to cancel, nothing this call did
      }
      cancelled.add(j.id());
      named.add(componentOfJob.get(j.name()));
    }
    List<String> left = new JobCanceller(s.slurm(), watch::pause, cancelGrace).cancel(alive);
    if (!left.isEmpty()) {
      throw TargetFailure.transientFailure("held job(s) " + String.join(", ", left) + " of " + String.join(", ", named)
          + " (revision " + revision + ") did not end after scancel and SIGKILL", null);
    }
    List<String> inOrder = components.stream().filter(named::contains).toList();
    return new HeldCancelled(inOrder, cancelled);
  }

  /** The job directories that still have a hold file and no start file, in one command. */
  private static Set<String> stillHeld(SlurmSession s, Collection<String> dirs) throws IOException {
    String command = "for d in " + Shell.quoteAll(List.copyOf(dirs))
        + "; do if [ -e \"$d/hold\" ] && [ ! -e \"$d/start\" ]; then printf '%s\\n' \"$d\"; fi; done";
    RemoteShell.Result result = s.ssh().run(command, RemoteShell.Retry.SAFE);
    if (!result.ok()) {
      throw TargetFailure.transientFailure("cannot read the hold files of " + String.join(", ", dirs) + ": "
          + result.stderr().strip(), null);
    }
    return new HashSet<>(result.stdout().lines().toList());
  }
}
