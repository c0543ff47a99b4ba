package ai.dynamo.deploy.activities.slurm;

import java.time.Instant;

/**
 * What one job has said about itself so far, folded from its status lines in order: whether its processes started,
 * whether its readiness rule holds now, whether a group's workers started, and how it ended.
 *
 * @param exitStatus the status of {@code exited <status>}, or null while it runs; -1 for {@code failed}
 * @param lastLine the last line, for messages
 */
public record JobReport(String jobId, boolean started, boolean ready, boolean workersStarted, Integer exitStatus,
    String failure, Instant readySince, JobStatusLine lastLine) {

  public static JobReport empty(String jobId) {
    return new JobReport(jobId, false, false, false, null, null, null, null);
  }

  /**
   * This report after one more line of the same job. Unknown states are kept as the last line only. The end is final:
   * the job's readiness watcher runs until the job's shell exits, so it can still append {@code unready} (the port
   * closing as the processes are stopped) after {@code exited}; such a line neither revives the job nor replaces the
   * line that says how it ended.
   */
  public JobReport with(JobStatusLine l) {
    if (ended()) return this;
    return switch (l.state()) {
      case "started" -> new JobReport(jobId, true, ready, workersStarted, exitStatus, failure, readySince, l);
      case "ready" -> new JobReport(jobId, true, true, workersStarted, exitStatus, failure,
          ready ? readySince : l.time(), l);
      case "unready" -> new JobReport(jobId, started, false, workersStarted, exitStatus, failure, null, l);
      case "workers-started" -> new JobReport(jobId, started, ready, true, exitStatus, failure, readySince, l);
      case "exited" -> new JobReport(jobId, started, false, workersStarted, exitCode(l.detail()), failure, null, l);
      case "failed" -> new JobReport(jobId, started, false, workersStarted, -1, l.detail(), null, l);
      default -> new JobReport(jobId, started, ready, workersStarted, exitStatus, failure, readySince, l);
    };
  }

  public boolean ended() {
    return exitStatus != null;
  }

  private static int exitCode(String detail) {
    String first = detail.strip().split(" ", 2)[0];
    return first.matches("[0-9]{1,3}") ? Integer.parseInt(first) : -1;
  }
}
