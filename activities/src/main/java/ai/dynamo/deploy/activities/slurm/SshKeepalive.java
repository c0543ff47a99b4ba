package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;

/**
 * One round trip that proves the peer still answers, as OpenSSH's {@code ServerAliveInterval} probes do: a global
 * request {@code keepalive@openssh.com} with a reply wanted. OpenSSH does not know the request and refuses it; a
 * refusal is an answer all the same. No reply within the bound (a stopped server, a half-open TCP connection) or a
 * broken transport is not.
 */
final class SshKeepalive {
  static final String REQUEST = "keepalive@openssh.com";

  private SshKeepalive() {}

  /** Null when the server answered within {@code within}, else why not. */
  static String answers(SSHClient c, Duration within) {
    Promise<SSHPacket, ConnectionException> reply;
    try {
      reply = c.getConnection().sendGlobalRequest(REQUEST, true, new byte[0]);
    } catch (Exception e) {
      return "a keepalive request could not be sent (" + e.getMessage() + ")";
    }
    // Polled, not retrieve()d: sshj logs a refused request at ERROR level when it is retrieved (its own keepalive
    // runner polls too), and a refusal is the answer OpenSSH gives.
    long deadline = System.nanoTime() + within.toNanos();
    while (!reply.isFulfilled()) {
      if (System.nanoTime() > deadline) {
        return "no answer to a keepalive request within " + within.toMillis() + " ms";
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while waiting for a keepalive answer";
      }
    }
    return c.isConnected() ? null : "the connection broke while waiting for a keepalive answer";
  }
}
