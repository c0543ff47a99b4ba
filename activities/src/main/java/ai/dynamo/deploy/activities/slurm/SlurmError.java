package ai.dynamo.deploy.activities.slurm;

/**
 * A failure of the Slurm target with a kind that says whether retrying can help. Messages are shown to the user
 * as they are: they name hosts, files, jobs and secret <em>names</em>, never a secret value.
 */
public final class SlurmError extends RuntimeException {

  /** What went wrong; {@link #retryable} tells the activities whether a retry can fix it. */
  public enum Kind {
    /** the login host's key is not in known_hosts (and accepting new keys was not asked for) */
    UNKNOWN_HOST_KEY(false),
    /** the login host's key differs from the one in known_hosts */
    CHANGED_HOST_KEY(false),
    /** the server refused every key, or a key cannot be read or decrypted */
    AUTHENTICATION_REFUSED(false),
    /** a setting (host, key file, remote directory) is unusable */
    INVALID_SETTING(false),
    /** a secret the graph references is not in the worker's secret source */
    SECRET_MISSING(false),
    /** sbatch refused a script (bad partition, limits, ...) */
    SUBMIT_REFUSED(false),
    /** a job ended in a failure state, or a service job ended */
    JOB_FAILED(false),
    /** the host cannot be reached or the connection dropped; retried */
    UNREACHABLE(true),
    /** a Slurm command failed in a way that may pass (controller busy, timeouts); retried */
    COMMAND_FAILED(true);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Kind kind;

  public SlurmError(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public SlurmError(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean retryable() {
    return kind.retryable();
  }
}
