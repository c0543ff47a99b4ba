package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.ReadinessWatch;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Names;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code dynamo deploy uninstall} on Slurm: cancels every job of the graph's deploy (any revision: those Slurm lists
 * with the deploy's identity in their comment, and the live revision's jobs in {@code state.json}), waits until they
 * have ended (scancel, then SIGKILL), removes the secret files the deploy wrote ({@code <graph dir>/secrets/}), and
 * records the uninstall in {@code state.json}. The scripts, job output and revision specs stay as the history
 * (they hold no secret), so {@code history} and {@code rollback --to-revision} keep working. Idempotent.
 */
final class SlurmUninstall {
  private final SshConnection ssh;
  private final SlurmClient slurm;
  private final RemoteLayout layout;
  private final Duration cancelGrace;

  SlurmUninstall(SshConnection ssh, SlurmClient slurm, RemoteLayout layout, Duration cancelGrace) {
    this.ssh = ssh;
    this.slurm = slurm;
    this.layout = layout;
    this.cancelGrace = cancelGrace;
  }

  String run(DeployContext ctx, ReadinessWatch watch) throws IOException {
    DeployStateStore store = new DeployStateStore(ssh, layout);
    DeployState state = store.read(ctx.graph().name());
    String prefix = Names.dnsLabel(ctx.graph().name()) + ".";
    Set<String> owned = new LinkedHashSet<>();
    if (state.current() != null) owned.addAll(state.current().jobs().values());
    for (SlurmJob j : slurm.jobsOfUser()) {
      JobIdentity id = JobIdentity.parse(j.comment());
      if (j.name().startsWith(prefix) && id != null && id.ofDeploy(ctx.workflowId())) owned.add(j.id());
    }
    List<String> running = new ArrayList<>();
    for (SlurmJob j : slurm.jobsById(owned)) {
      // A job ID from state.json may since belong to someone else's job: only ours by name are touched.
      if (j.name().startsWith(prefix) && !j.state().ended()) running.add(j.id());
    }
    watch.report(0, running.size(), "cancelling " + running.size() + " job(s)", "");
    List<String> alive = new JobCanceller(slurm, watch::pause, cancelGrace).cancel(running);
    if (!alive.isEmpty()) {
      throw TargetFailure.transientFailure("job(s) " + String.join(", ", alive)
          + " did not end after scancel and SIGKILL", null);
    }
    RemoteShell.Result rm = ssh.run("rm -rf -- " + Shell.quote(layout.secretsDir()), RemoteShell.Retry.SAFE);
    if (!rm.ok()) {
      throw TargetFailure.preflightFailed("cannot remove the secret files in " + layout.secretsDir() + ": "
          + rm.stderr().strip());
    }
    if (state.current() != null) {
      store.write(state.withUninstalled("uninstalled by " + ctx.request().options().startedBy(),
          System.currentTimeMillis()));
    }
    return "cancelled " + running.size() + " job(s), removed the secret files (" + layout.secretsDir()
        + "); scripts, job output and records stay in " + layout.graphDir();
  }
}
