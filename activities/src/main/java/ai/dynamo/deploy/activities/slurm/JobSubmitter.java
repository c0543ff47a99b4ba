package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits one replica's job exactly once. Before {@code sbatch} it looks for a job with the replica's
 * deterministic name whose comment carries the same deploy and revision, and adopts it: an activity retried after
 * a lost response, or an {@code sbatch} whose answer was lost with the connection, leaves one job, not two.
 */
public final class JobSubmitter {
  private static final Logger log = LoggerFactory.getLogger(JobSubmitter.class);
  private static final int ATTEMPTS = 3;

  private final SlurmClient slurm;

  public JobSubmitter(SlurmClient slurm) {
    this.slurm = slurm;
  }

  /** The job and whether it was adopted rather than submitted now. */
  public record Submitted(String jobId, boolean adopted) {}

  public Submitted submit(Graph graph, RemoteLayout layout, JobIdentity identity, String component, int replica)
      throws IOException {
    return submit(graph, layout, identity, component, replica, "", false);
  }

  /**
   * @param exclude nodes the job must not use ({@code sbatch --exclude}), empty for none
   * @param workersAtOnce a multi-node group starts its workers without waiting for start-workers (a rollback
   *     restoring a known-good revision)
   */
  public Submitted submit(Graph graph, RemoteLayout layout, JobIdentity identity, String component, int replica,
      String exclude, boolean workersAtOnce) throws IOException {
    String name = SlurmNames.jobName(graph, component, replica);
    Map<String, String> env = workersAtOnce
        ? new java.util.TreeMap<>(Map.of("DYNAMO_SECRETS_DIR", layout.secretsDir(), "DYNAMO_START_WORKERS", "now"))
        : Map.of("DYNAMO_SECRETS_DIR", layout.secretsDir());
    IOException lost = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<SlurmJob> existing = find(name, identity);
      if (existing.isPresent()) {
        recordJobId(layout, identity.revision(), component, replica, existing.get().id());
        log.info("adopted job {} ({}, revision {}) submitted earlier", existing.get().id(), name, identity.revision());
        return new Submitted(existing.get().id(), true);
      }
      try {
        String id = slurm.sbatch(layout.revisionDir(identity.revision()), layout.script(component, replica),
            identity.comment(), env, exclude);
        recordJobId(layout, identity.revision(), component, replica, id);
        log.info("submitted job {} ({}, revision {})", id, name, identity.revision());
        return new Submitted(id, false);
      } catch (IOException e) {
        lost = e; // sbatch may have run: look again before trying anything else
        log.warn("sbatch for {} lost its answer ({}); looking for the job before trying again", name, e.getMessage());
      }
    }
    throw new SlurmError(SlurmError.Kind.UNREACHABLE, "could not submit " + name + ": " + lost.getMessage(), lost);
  }

  /**
   * The job this deploy already submitted for the replica and revision: a live one from any run of the same
   * deploy (a reset or retried workflow), or one from this very run that ended without failing. The newest wins.
   * A failed job is never adopted: an apply after it failed (retry of a paused deploy) submits a new one.
   */
  public Optional<SlurmJob> find(String name, JobIdentity identity) throws IOException {
    return pick(slurm.jobsByName(List.of(name)), name, identity);
  }

  /** {@link #find}'s choice among jobs squeue listed (for several names at once: {@link SlurmApplies}). */
  static Optional<SlurmJob> pick(List<SlurmJob> jobs, String name, JobIdentity identity) {
    return jobs.stream()
        .filter(j -> j.name().equals(name))
        .filter(j -> {
          JobIdentity other = JobIdentity.parse(j.comment());
          if (!identity.sameRevision(other)) return false;
          // A failed job of this run is not adopted: applying again (retry of a paused deploy) submits anew.
          return !j.state().ended()
              || (other.runId().equals(identity.runId()) && j.state().category() != SlurmJobState.Category.FAILED);
        })
        .max(Comparator.comparingLong(j -> Long.parseLong(j.id().replaceAll("_.*", ""))));
  }

  private void recordJobId(RemoteLayout layout, int revision, String component, int replica, String id)
      throws IOException {
    slurm.shell().writeFile(layout.jobIdFile(revision, component, replica),
        (id + "\n").getBytes(StandardCharsets.UTF_8), 0600);
  }
}
