package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * Connects to one hop of a route (directly, or through the hop before it), verifies its host key
 * ({@link HostKeyCheck}) and logs in ({@link SshAuthenticator}); remembers the key it accepted so that a connection
 * kept for a later deploy run can be checked against the known_hosts files as they are then
 * ({@link #stillTrusted}).
 *
 * @param hop the endpoint of this hop
 * @param client the logged-in connection
 * @param hostKey the server's host key as verified at the (last) key exchange
 * @param connectMillis TCP connect, key exchange and host key check
 * @param loginMillis authentication
 */
record SshHopLogin(SshEndpoint hop, SSHClient client, HostKeyCheck.Verified hostKey, long connectMillis,
    long loginMillis) {

  /**
   * sshj's configuration, built once per worker: building it tries every cipher and seeds a random source (milliseconds
   * on each login otherwise), and it holds only factories, so every connection may share it (sshj issue 197).
   */
  private static final class Config {
    static final DefaultConfig SHARED = build();

    private static DefaultConfig build() {
      DefaultConfig config = new DefaultConfig();
      config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
      return config;
    }
  }

  /** The shared sshj configuration ({@link Config}); the worker's warm-up builds it. */
  static DefaultConfig config() {
    return Config.SHARED;
  }

  static SshHopLogin open(SshEndpoint hop, String label, SSHClient via, SshOptions options) throws IOException {
    SshEndpoint.HostPolicy policy = hop.policy();
    SSHClient c = new SSHClient(config());
    HostKeyCheck verifier = new HostKeyCheck(knownHosts(hop, options),
        policy.acceptNew() != null ? policy.acceptNew() || options.acceptNewHostKey() : options.acceptNewHostKey(),
        hop.display());
    c.addHostKeyVerifier(verifier);
    Duration timeout = policy.connectTimeout() != null ? policy.connectTimeout() : options.connectTimeout();
    c.setConnectTimeout((int) timeout.toMillis());
    c.setTimeout((int) Math.max(timeout.toMillis(), 30_000)); // a stalled key exchange or channel open ends too
    long start = System.nanoTime();
    try {
      try {
        if (via == null) {
          c.connect(hop.hostName(), hop.port());
        } else {
          c.connectVia(via.newDirectConnection(hop.hostName(), hop.port()));
        }
      } catch (UnknownHostException e) {
        throw new SlurmError(SlurmError.Kind.UNREACHABLE, "cannot reach " + label + ": the name " + hop.hostName()
            + " does not resolve (check HostName in the ssh config: ssh -G " + hop.alias() + ")", e);
      } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
        throw new SlurmError(SlurmError.Kind.UNREACHABLE, "cannot reach " + label + ": " + e.getMessage()
            + " (check the host and port, and that the worker can reach it" + (via == null ? ""
                : "; the jump host forwards") + ")", e);
      } catch (OpenFailException e) {
        throw new SlurmError(SlurmError.Kind.UNREACHABLE, "cannot reach " + label + ": the jump host refused to"
            + " open a connection to " + hop.hostName() + ":" + hop.port() + " (" + e.getMessage() + ")", e);
      } catch (IOException e) {
        if (verifier.refusal() != null) throw verifier.refusal();
        throw new SlurmError(SlurmError.Kind.UNREACHABLE, "ssh connection to " + label + " failed: " + e.getMessage(), e);
      }
      long connected = System.nanoTime();
      Duration alive = policy.aliveInterval() != null ? policy.aliveInterval() : options.keepAlive();
      c.getConnection().getKeepAlive().setKeepAliveInterval((int) alive.toSeconds());
      if (policy.aliveCountMax() != null && c.getConnection().getKeepAlive() instanceof KeepAliveRunner runner) {
        runner.setMaxAliveCount(Math.max(1, policy.aliveCountMax()));
      }
      SshAuthenticator.authenticate(c, hop, label, options);
      return new SshHopLogin(hop, c, verifier.verified(), (connected - start) / 1_000_000,
          (System.nanoTime() - connected) / 1_000_000);
    } catch (RuntimeException | IOException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** The hop's known_hosts files: its ssh config's, else the connection's. */
  static List<Path> knownHosts(SshEndpoint hop, SshOptions options) {
    return hop.policy().knownHosts().isEmpty() ? List.of(options.knownHosts()) : hop.policy().knownHosts();
  }

  /**
   * Null when the host key this connection accepted is still recorded in the hop's known_hosts files as they are now
   * (a file read, no round trip), else why not: a key removed or replaced since the login is not trusted any more.
   */
  String stillTrusted(SshOptions options) {
    if (hostKey == null) return "the host key of " + hop.display() + " was not recorded at login";
    try {
      HostKeyCheck now = new HostKeyCheck(knownHosts(hop, options), false, hop.display());
      if (now.verify(hostKey.hostname(), hostKey.port(), hostKey.key())) return null;
      return "the host key of " + hop.display() + " is no longer trusted by " + knownHosts(hop, options);
    } catch (SlurmError e) {
      return "the host key of " + hop.display() + " cannot be checked again: " + e.getMessage();
    }
  }

  boolean alive() {
    return client.isConnected() && client.isAuthenticated();
  }

  void close() {
    closeQuietly(client);
  }

  static void closeQuietly(SSHClient c) {
    try {
      c.disconnect();
    } catch (IOException ignored) {
      // nothing to do: the connection is unusable either way
    }
  }

  /**
   * Loads a private key (OpenSSH, PEM/PKCS#1, PKCS#8: sshj detects the format) and decrypts it now, so a missing or
   * wrong passphrase is reported as such instead of as a refused login.
   */
  static KeyProvider loadKey(SSHClient c, Path p, char[] passphrase) {
    try {
      KeyProvider key = c.loadKeys(p.toString(), passwordFinder(passphrase));
      key.getPrivate();
      return key;
    } catch (IOException | RuntimeException e) {
      String hint = passphrase == null
          ? "; if it is encrypted, set " + SshOptions.PASSPHRASE_ENV + " in the worker's environment"
          : " with the passphrase from " + SshOptions.PASSPHRASE_ENV + " (wrong passphrase?)";
      throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "cannot read ssh key " + p + hint, e);
    }
  }

  /** Hands out a copy of the passphrase, never retries a wrong one. */
  private static PasswordFinder passwordFinder(char[] passphrase) {
    return new PasswordFinder() {
      @Override
      public char[] reqPassword(Resource<?> resource) {
        return passphrase == null ? null : Arrays.copyOf(passphrase, passphrase.length);
      }

      @Override
      public boolean shouldRetry(Resource<?> resource) {
        return false;
      }
    };
  }
}
