package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels jobs and makes sure they end: {@code scancel}, wait up to a grace period, then SIGKILL every step and
 * the batch shell ({@code scancel --signal=KILL --full}) and wait again. Idempotent: cancelling ended or forgotten
 * jobs does nothing.
 */
public final class JobCanceller {
  private static final Logger log = LoggerFactory.getLogger(JobCanceller.class);

  /** Sleeps between checks; the readiness wait passes one that heartbeats. */
  public interface Sleeper {
    void sleep(Duration d);
  }

  private final SlurmClient slurm;
  private final Sleeper sleeper;
  private final Duration grace;

  public JobCanceller(SlurmClient slurm, Sleeper sleeper, Duration grace) {
    this.slurm = slurm;
    this.sleeper = sleeper;
    this.grace = grace;
  }

  /** Cancels the jobs; returns the IDs of jobs that still have not ended after the escalation (normally none). */
  public List<String> cancel(Collection<String> ids) throws IOException {
    List<String> alive = alive(ids);
    if (alive.isEmpty()) return alive;
    log.info("cancelling job(s) {}", alive);
    slurm.cancel(alive);
    alive = waitForEnd(alive, grace);
    if (alive.isEmpty()) return alive;
    log.warn("job(s) {} did not end within {} of scancel; sending SIGKILL", alive, grace);
    slurm.kill(alive);
    return waitForEnd(alive, grace);
  }

  private List<String> waitForEnd(List<String> ids, Duration budget) throws IOException {
    long deadline = System.nanoTime() + budget.toNanos();
    List<String> alive = alive(ids);
    while (!alive.isEmpty() && System.nanoTime() < deadline) {
      sleeper.sleep(Duration.ofMillis(500));
      alive = alive(alive);
    }
    return alive;
  }

  private List<String> alive(Collection<String> ids) throws IOException {
    List<String> alive = new ArrayList<>();
    for (SlurmJob j : slurm.jobsById(ids)) {
      if (!j.state().ended()) alive.add(j.id());
    }
    return alive;
  }
}
