package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The session channels one {@link SshConnection} runs at once: each command, followed or streamed command takes one.
 * The steps, waits and status follower that share a connection ({@link SshConnectionPool}) may want more at once than
 * the login node opens sessions for; the rest wait here, in order, instead of failing there.
 */
final class ChannelSlots {
  /** Below OpenSSH's default {@code MaxSessions} (10), which also counts the connection's SFTP channel. */
  static final int CHANNELS = 8;

  private final Semaphore free = new Semaphore(CHANNELS, true);

  /**
   * One channel, waited for at most {@code bound}.
   *
   * @throws SshCommand.CommandTimeout when all stayed busy that long (message names {@code where})
   */
  void take(Duration bound, String where) throws IOException {
    try {
      if (free.tryAcquire(bound.toMillis(), TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a channel to " + where);
    }
    throw new SshCommand.CommandTimeout("all " + CHANNELS + " command channels of the connection to " + where
        + " stayed busy for " + bound.toSeconds() + " s", null);
  }

  void giveBack() {
    free.release();
  }

  /** Callers waiting for a channel now (tests). */
  int waiting() {
    return free.getQueueLength();
  }
}
