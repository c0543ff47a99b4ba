package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.SFTPClient;

/**
 * One login over every hop of a route (the {@code ProxyJump} hops, then the login node), each hop reached through a
 * direct-tcpip channel of the one before: what {@link SshConnection} replaces as a whole when any hop drops. Commands
 * run on it from several threads at once. It remembers whether its owner closed it, so that the commands this ends
 * say so instead of being run again.
 */
final class SshLoginChain {
  private final List<SshHopLogin> hops;
  private final SSHClient client;
  private SFTPClient sftp; // guarded by this: one SFTP session per login, opened on first use
  private volatile boolean closedByOwner;

  private SshLoginChain(List<SshHopLogin> hops) {
    this.hops = hops;
    this.client = hops.get(hops.size() - 1).client();
  }

  /** Connects and logs in hop by hop; on any failure the hops opened so far are closed. */
  static SshLoginChain open(SshEndpoint endpoint, SshOptions options) throws IOException {
    List<SshEndpoint> route = new ArrayList<>(endpoint.jumps());
    route.add(endpoint);
    List<SshHopLogin> opened = new ArrayList<>();
    try {
      for (int i = 0; i < route.size(); i++) {
        SshEndpoint hop = route.get(i);
        String label = route.size() == 1 ? hop.display()
            : (i + 1 < route.size() ? "jump host " : "login node ") + hop.display() + " (hop " + (i + 1) + " of "
                + route.size() + ": " + endpoint.route() + ")";
        opened.add(SshHopLogin.open(hop, label, i == 0 ? null : opened.get(i - 1).client(), options));
      }
      return new SshLoginChain(opened);
    } catch (RuntimeException | IOException e) {
      closeAll(opened);
      throw e;
    }
  }

  /** The login node's connection. */
  SSHClient client() {
    return client;
  }

  /** Logged in on every hop. */
  boolean alive() {
    for (SshHopLogin hop : hops) {
      if (!hop.alive()) return false;
    }
    return true;
  }

  /**
   * The login's SFTP client, opened by the first caller. One client serves every thread: SFTPEngine numbers requests
   * and writes them under its own lock, and PacketReader hands each response to its request's promise by ID.
   */
  synchronized SFTPClient sftp() throws IOException {
    if (sftp == null) sftp = client.newSFTPClient();
    return sftp;
  }

  /** The login's SFTP client when it is open, else null (no round trip). */
  synchronized SFTPClient sftpIfOpen() {
    return sftp;
  }

  /**
   * Disconnects every hop, the login node first. No channel is closed one by one (that waits for the server's
   * answer): the transport's disconnect fails every open channel at once (ConnectionImpl.notifyError), so the commands
   * running on it end now. {@code byOwner}: {@link SshConnection#close}, not a failure.
   */
  void close(boolean byOwner) {
    if (byOwner) closedByOwner = true;
    closeAll(hops);
  }

  /** Whether {@link SshConnection#close} ended this login (its commands must not be run again). */
  boolean closedByOwner() {
    return closedByOwner;
  }

  private static void closeAll(List<SshHopLogin> hops) {
    for (int i = hops.size() - 1; i >= 0; i--) hops.get(i).close();
  }

  /** Drops one hop's connection (0: the first jump host), as a network failure would. */
  void dropHop(int hop) {
    hops.get(hop).close();
  }

  /** The local TCP port of the first hop's socket. */
  int localPort() {
    return hops.get(0).client().getLocalPort();
  }

  /** See {@link SshConnection#reusableForNewRun}. */
  String reusable(SshOptions options, Duration answerWithin) {
    for (SshHopLogin hop : hops) {
      if (!hop.alive()) return "the connection to " + hop.hop().display() + " is closed";
    }
    for (SshHopLogin hop : hops) {
      String why = hop.stillTrusted(options);
      if (why != null) return why;
    }
    return SshKeepalive.answers(client, answerWithin);
  }

  /** When and how long each hop's login took, for the log. */
  String summary() {
    StringBuilder b = new StringBuilder();
    for (SshHopLogin hop : hops) {
      if (b.length() > 0) b.append("; ");
      b.append(hop.hop().display()).append(": connect and key exchange ").append(hop.connectMillis())
          .append(" ms, login ").append(hop.loginMillis()).append(" ms");
    }
    return b.toString();
  }
}
