package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session channels one {@link SshConnection} runs at once: each command, followed or streamed command takes one.
 * The steps, waits and status follower that share a connection ({@link SshConnectionPool}) may want more at once than
 * the login node opens sessions for; the rest wait here, in order, instead of failing there.
 *
 * <p>A login node whose sshd allows fewer sessions per connection ({@code MaxSessions} below OpenSSH's default 10, as
 * hardened sites set it) refuses a channel beyond its limit. Such a refusal is not a broken connection and the command
 * never started: the limit here comes down to the channels open at that moment, and the command waits for one of
 * them and runs then, on the same login.
 */
final class ChannelSlots {
  private static final Logger log = LoggerFactory.getLogger(ChannelSlots.class);

  /** Below OpenSSH's default {@code MaxSessions} (10), which also counts the connection's SFTP channel. */
  static final int CHANNELS = 8;

  /** A semaphore whose permits can be taken away for good (the login node allows fewer). */
  private static final class Permits extends Semaphore {
    Permits(int permits) {
      super(permits, true);
    }

    void remove(int n) {
      reducePermits(n);
    }
  }

  private final Permits free = new Permits(CHANNELS);
  private int limit = CHANNELS; // guarded by this
  private int sessions; // guarded by this: channels opened and not given back
  private int mostOpened; // guarded by this: the most command sessions this connection has had open at once
  private int closingWaits; // guarded by this: refusals taken for a session still closing, and retried

  /**
   * A refusal at a count this connection has had open before is most likely a session the login node has not
   * finished closing (OpenSSH frees it just after the channel's close): retried after this pause, this many times,
   * before it lowers the limit.
   */
  static final Duration CLOSING_PAUSE = Duration.ofMillis(50);
  static final int CLOSING_RETRIES = 10;

  private enum Refusal { LOWERED, CLOSING, NONE_OPEN }

  /** Opens a session channel: a command's, or the SFTP subsystem's. */
  interface Opener<T> {
    T open() throws IOException;
  }

  /**
   * A session channel of {@code client}, after waiting at most {@code bound} for one of this connection's slots;
   * give the slot back with {@link #giveBack} once the session is closed.
   *
   * @throws SshCommand.CommandTimeout when all stayed busy that long (message names {@code where})
   */
  Session open(SSHClient client, Duration bound, String where) throws IOException {
    return open(client::startSession, true, bound, where);
  }

  /**
   * {@link #open(SSHClient, Duration, String)} with the channel opened by {@code opener}; a {@code command} channel
   * counts towards the sessions this connection has had open at once (the SFTP channel does not: see {@link #sftp}).
   */
  private <T> T open(Opener<T> opener, boolean command, Duration bound, String where) throws IOException {
    int closingRetries = 0;
    while (true) {
      take(bound, where);
      try {
        T channel = opener.open();
        if (command) opened();
        return channel;
      } catch (OpenFailException e) {
        // OpenSSH refuses a session beyond MaxSessions as "open failed", reason CONNECT_FAILED ("no more sessions"
        // in its log); other servers say ADMINISTRATIVELY_PROHIBITED or RESOURCE_SHORTAGE.
        if (e.getReason() == OpenFailException.Reason.UNKNOWN_CHANNEL_TYPE) {
          free.release();
          throw e;
        }
        Refusal refusal = refused(where, closingRetries < CLOSING_RETRIES);
        if (refusal == Refusal.NONE_OPEN) {
          throw new IOException(where + " refused a session channel with no other command running on the connection ("
              + e.getMessage() + "); its sshd allows no session beside the SFTP one (MaxSessions)", e);
        }
        if (refusal == Refusal.CLOSING) {
          closingRetries++;
          pause(where);
        }
      } catch (IOException | RuntimeException e) {
        free.release();
        throw e;
      }
    }
  }

  /**
   * The login's SFTP client. Its channel is a session too, so it is first opened through a slot: on a login node with
   * a low MaxSessions it waits for a command to end instead of being refused, which would count as a drop. The slot
   * is for the opening only; commands beside the SFTP channel then meet the limit and lower it. It is not counted
   * among the commands open at once: were it, a later refusal at the commands' own most would be taken for a closing
   * session and lower the limit only after the retries.
   */
  SFTPClient sftp(SshLoginChain login, Duration bound, String where) throws IOException {
    SFTPClient open = login.sftpIfOpen();
    if (open != null) return open;
    SFTPClient sftp = open(login::sftp, false, bound, where);
    free.release();
    return sftp;
  }

  /** One channel, waited for at most {@code bound}. */
  private void take(Duration bound, String where) throws IOException {
    try {
      if (free.tryAcquire(bound.toMillis(), TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException e) {
      throw interrupted(where);
    }
    throw new SshCommand.CommandTimeout("all " + limit() + " command channels of the connection to " + where
        + " stayed busy for " + bound.toSeconds() + " s", null);
  }

  private static void pause(String where) throws IOException {
    try {
      Thread.sleep(CLOSING_PAUSE.toMillis());
    } catch (InterruptedException e) {
      throw interrupted(where);
    }
  }

  private static InterruptedIOException interrupted(String where) {
    Thread.currentThread().interrupt();
    return new InterruptedIOException("interrupted while waiting for a channel to " + where);
  }

  /** Gives back the channel of a session {@link #open(SSHClient, Duration, String)} returned, once it is closed. */
  void giveBack() {
    synchronized (this) {
      sessions--;
    }
    free.release();
  }

  private synchronized void opened() {
    mostOpened = Math.max(mostOpened, ++sessions);
  }

  /**
   * The login node refused the channel just taken while the others taken (open or being opened) were. At a count of
   * sessions this connection has had open before, one is probably still closing there: the slot is given back and
   * the caller pauses and tries again ({@code mayWait}, a few times). Otherwise no more than those from now on: the
   * refused channel's slot goes in the same step (were it released first, a waiting caller could take it in between
   * and be refused too).
   */
  private synchronized Refusal refused(String where, boolean mayWait) {
    int others = limit - free.availablePermits() - 1; // taken besides the refused one
    if (mayWait && others + 1 <= mostOpened) {
      free.release();
      closingWaits++;
      return Refusal.CLOSING;
    }
    if (others == 0) {
      free.release();
      return Refusal.NONE_OPEN;
    }
    if (others >= limit) {
      free.release(); // another refusal lowered it already
      return Refusal.LOWERED;
    }
    free.remove(limit - others - 1); // the refused channel's own slot is one of those that go
    log.warn("ssh: {} refused a session channel with {} open; running at most {} commands at once on this connection"
        + " from now on (its sshd's MaxSessions allows fewer than this connection's {} and its SFTP channel)", where,
        others, others, CHANNELS);
    limit = others;
    return Refusal.LOWERED;
  }

  /** How many channels this connection opens at once now. */
  synchronized int limit() {
    return limit;
  }

  /** Refusals so far taken for a session the login node was still closing, and retried after a pause (tests). */
  synchronized int closingWaits() {
    return closingWaits;
  }

  /** Callers waiting for a channel now (tests). */
  int waiting() {
    return free.getQueueLength();
  }
}
