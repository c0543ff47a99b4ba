package ai.dynamo.deploy.activities.slurm;

import java.time.Duration;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;

/**
 * One round trip that proves the login node still answers on this connection: a global request with a reply wanted,
 * {@code hostkeys-prove-00@openssh.com} with no keys, which OpenSSH (6.8 and later) answers with an empty success and
 * nothing else (no signature is made: no key is asked about). Only a success counts: sshj reports a refused request
 * and a connection that broke the same way (an error on the reply, and for a moment after a break the transport
 * still looks connected), so a refusal (another server) or no reply within the bound (a stopped server, a half-open
 * TCP connection) means "not proven", and the caller logs in afresh.
 */
final class SshKeepalive {
  static final String REQUEST = "hostkeys-prove-00@openssh.com";

  private SshKeepalive() {}

  /** Null when the server answered within {@code within}, else why not. */
  static String answers(SSHClient c, Duration within) {
    Promise<SSHPacket, ConnectionException> reply;
    try {
      reply = c.getConnection().sendGlobalRequest(REQUEST, true, new byte[0]);
    } catch (Exception e) {
      return "a keepalive request could not be sent (" + e.getMessage() + ")";
    }
    // Polled, not retrieve()d: sshj logs an error reply at ERROR level when it is retrieved.
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
    return reply.isDelivered() ? null
        : "the keepalive request was refused or the connection broke (a fresh login tells which)";
  }
}
