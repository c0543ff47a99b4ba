package ai.dynamo.deploy.activities.slurm;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.time.Duration;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.OpenFailException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * One SSH connection to the login node, opened lazily and reused for every command and file of an activity, with
 * keepalive. With {@code ProxyJump} hops it is a chain: each hop is reached through a direct-tcpip channel of the
 * one before, with its own host key check and login. A dropped connection (any hop) is re-established on the next
 * use, the whole chain at once; a command that was running when it dropped is re-run only when it is
 * {@link RemoteShell.Retry#SAFE}. Host keys are always verified ({@link HostKeyCheck}); authentication is by
 * public key, from ssh-agent or key files ({@link SshAuthenticator}).
 */
public final class SshConnection implements RemoteShell, AutoCloseable {
  private final SshEndpoint endpoint;
  private final SshOptions options;
  private SSHClient client;
  private final List<SSHClient> chain = new ArrayList<>();
  private SFTPClient sftp;
  private String home;

  public SshConnection(SshEndpoint endpoint, SshOptions options) {
    this.endpoint = endpoint;
    this.options = options;
  }

  public SshEndpoint endpoint() {
    return endpoint;
  }

  /** Connects now (instead of on first use), so a bad host, key or host key fails early. */
  public synchronized void open() throws IOException {
    connection();
  }

  @Override
  public synchronized Result run(String command, Retry retry) throws IOException {
    return run(command, null, retry);
  }

  @Override
  public synchronized Result run(String command, byte[] stdin, Retry retry) throws IOException {
    try {
      return exec(connection(), command, stdin);
    } catch (CommandTimeout e) {
      drop(); // the command's channel may still be open; a fresh connection for what comes next
      throw e; // not run again: it had its time
    } catch (IOException e) {
      drop();
      if (retry != Retry.SAFE) {
        throw new IOException("the connection to " + endpoint.display()
            + " dropped while a command ran; whether it took effect is unknown", e);
      }
      return exec(connection(), command, stdin);
    }
  }

  /**
   * Starts a long-running command whose output is read as it comes (the status follower): one channel of this
   * connection. Closing the handle sends EOF to the command's stdin and closes the channel.
   */
  public synchronized Streaming follow(String command) throws IOException {
    Session session = connection().startSession();
    try {
      return new Streaming(session, session.exec(command));
    } catch (IOException e) {
      session.close();
      throw e;
    }
  }

  /** A running command's output (stdout; the command merges stderr into it if it wants it). */
  public static final class Streaming implements AutoCloseable {
    private final Session session;
    private final Session.Command command;

    private Streaming(Session session, Session.Command command) {
      this.session = session;
      this.command = command;
    }

    public InputStream output() {
      return command.getInputStream();
    }

    @Override
    public void close() {
      try {
        command.getOutputStream().close(); // EOF on the remote stdin: the command's own signal to stop
      } catch (IOException ignored) {
        // the channel is gone already
      }
      try {
        session.close();
      } catch (IOException ignored) {
        // the channel is gone already
      }
    }
  }

  /**
   * Runs {@code command} and hands each line of its output to {@code lines} as it arrives, until the command ends
   * or this thread is interrupted ({@code dynamo deploy logs -f}); the connection's keepalive notices a dead peer.
   *
   * @throws InterruptedIOException when interrupted: the caller's way of stopping
   */
  public synchronized void stream(String command, Consumer<String> lines) throws IOException {
    try (Session session = connection().startSession()) {
      Session.Command cmd = session.exec(command);
      BufferedReader out = new BufferedReader(new InputStreamReader(cmd.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) lines.accept(line);
      cmd.join(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public synchronized void mkdirs(String path, int mode) throws IOException {
    withSftp(s -> {
      s.mkdirs(path);
      s.chmod(path, mode);
      return null;
    });
  }

  @Override
  public synchronized void writeFile(String path, byte[] content, int mode) throws IOException {
    String tmp = path + ".tmp-" + UUID.randomUUID();
    boolean renamed = withSftp(s -> {
      FileAttributes attrs = new FileAttributes.Builder().withPermissions(mode).build();
      try (RemoteFile f = s.open(tmp, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC), attrs);
          OutputStream out = f.new RemoteFileOutputStream()) {
        out.write(content);
      }
      s.chmod(tmp, mode);
      // Plain SFTP v3 cannot rename over an existing file; OpenSSH's posix-rename extension can (rename(2)), in the
      // same session: no command, so no login shell started for it.
      if (!s.getSFTPEngine().supportsServerExtension("posix-rename", "openssh.com")) return false;
      s.rename(tmp, path, EnumSet.of(RenameFlags.OVERWRITE));
      return true;
    });
    if (renamed) return;
    // Elsewhere mv can, atomically within a directory.
    Result mv = run("mv -f -- " + Shell.quote(tmp) + " " + Shell.quote(path), Retry.SAFE);
    if (!mv.ok() && readFile(path).isEmpty()) {
      throw new IOException("cannot move " + tmp + " to " + path + ": " + mv.stderr().strip());
    }
  }

  @Override
  public synchronized Optional<String> readFile(String path) throws IOException {
    return withSftp(s -> {
      // Opened directly, no stat first: one round trip fewer per file (the record reads one job-id file a replica).
      try (RemoteFile f = s.open(path); InputStream in = f.new RemoteFileInputStream()) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (SFTPException e) {
        if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE) return Optional.<String>empty();
        throw e;
      }
    });
  }

  @Override
  public synchronized String home() throws IOException {
    if (home == null) home = withSftp(s -> s.canonicalize("."));
    return home;
  }

  /** Drops the connection as a network failure would (tests use it to break a connection at a chosen moment). */
  synchronized void dropForTest() {
    drop();
  }

  /** Drops one hop's connection (0: the first jump host), as a network failure would. */
  synchronized void dropHopForTest(int hop) {
    closeQuietly(chain.get(hop));
  }

  @Override
  public synchronized void close() {
    drop();
  }

  private interface SftpAction<T> {
    T apply(SFTPClient sftp) throws IOException;
  }

  /** SFTP operations are idempotent (files are written beside their target and renamed), so they are retried. */
  private <T> T withSftp(SftpAction<T> action) throws IOException {
    try {
      return action.apply(sftp());
    } catch (net.schmizz.sshj.sftp.SFTPException e) {
      throw e; // the server answered (no such file, permission denied): not a connection problem
    } catch (IOException e) {
      drop();
      return action.apply(sftp());
    }
  }

  private SFTPClient sftp() throws IOException {
    SSHClient c = connection();
    if (sftp == null) sftp = c.newSFTPClient();
    return sftp;
  }

  /**
   * Runs one command and collects its output, bounded by the options' command timeout: a command that does not end
   * in time (a hung file system, a controller that does not answer) is abandoned with an error, never waited on.
   */
  private Result exec(SSHClient c, String command, byte[] stdin) throws IOException {
    try (Session session = c.startSession()) {
      Session.Command cmd = session.exec(command);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread outReader = drain(cmd.getInputStream(), out, "ssh-stdout");
      Thread errReader = drain(cmd.getErrorStream(), err, "ssh-stderr");
      if (stdin != null) {
        try (OutputStream in = cmd.getOutputStream()) { // closing it is the command's end of input
          in.write(stdin);
        }
      }
      try {
        cmd.join(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ConnectionException e) {
        if (cmd.getExitStatus() == null) {
          throw new CommandTimeout("a command on " + endpoint.display() + " did not finish within "
              + options.commandTimeout().toSeconds() + "s", e);
        }
      }
      try {
        outReader.join(TimeUnit.SECONDS.toMillis(5));
        errReader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      Integer exit = cmd.getExitStatus();
      if (exit == null) throw new IOException("no exit status for a command (connection lost?)");
      synchronized (out) {
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      }
    }
  }

  /** A command that did not end within the command timeout. */
  static final class CommandTimeout extends IOException {
    CommandTimeout(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Copies a command's stream into {@code into} on a thread of its own (it ends when the channel closes). */
  private static Thread drain(InputStream stream, ByteArrayOutputStream into, String name) {
    Thread reader = new Thread(() -> {
      try {
        stream.transferTo(into);
      } catch (IOException ignored) {
        // the exit status tells what happened
      }
    }, name);
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private SSHClient connection() throws IOException {
    if (client != null && chainAlive()) return client;
    drop();
    List<SshEndpoint> hops = new ArrayList<>(endpoint.jumps());
    hops.add(endpoint);
    try {
      for (int i = 0; i < hops.size(); i++) {
        SshEndpoint hop = hops.get(i);
        String label = hops.size() == 1 ? hop.display()
            : (i + 1 < hops.size() ? "jump host " : "login node ") + hop.display() + " (hop " + (i + 1) + " of "
                + hops.size() + ": " + endpoint.route() + ")";
        chain.add(open(hop, label, i == 0 ? null : chain.get(i - 1)));
      }
      client = chain.get(chain.size() - 1);
      return client;
    } catch (RuntimeException | IOException e) {
      drop();
      throw e;
    }
  }

  private boolean chainAlive() {
    for (SSHClient c : chain) {
      if (!c.isConnected() || !c.isAuthenticated()) return false;
    }
    return true;
  }

  /** Connects to one hop (directly, or through {@code via}), verifies its host key and logs in. */
  private SSHClient open(SshEndpoint hop, String label, SSHClient via) throws IOException {
    SshEndpoint.HostPolicy policy = hop.policy();
    DefaultConfig config = new DefaultConfig();
    config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    SSHClient c = new SSHClient(config);
    HostKeyCheck verifier = new HostKeyCheck(
        policy.knownHosts().isEmpty() ? List.of(options.knownHosts()) : policy.knownHosts(),
        policy.acceptNew() != null ? policy.acceptNew() || options.acceptNewHostKey() : options.acceptNewHostKey(),
        hop.display());
    c.addHostKeyVerifier(verifier);
    Duration timeout = policy.connectTimeout() != null ? policy.connectTimeout() : options.connectTimeout();
    c.setConnectTimeout((int) timeout.toMillis());
    c.setTimeout((int) Math.max(timeout.toMillis(), 30_000)); // a stalled key exchange or channel open ends too
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
      Duration alive = policy.aliveInterval() != null ? policy.aliveInterval() : options.keepAlive();
      c.getConnection().getKeepAlive().setKeepAliveInterval((int) alive.toSeconds());
      if (policy.aliveCountMax() != null && c.getConnection().getKeepAlive() instanceof KeepAliveRunner runner) {
        runner.setMaxAliveCount(Math.max(1, policy.aliveCountMax()));
      }
      SshAuthenticator.authenticate(c, hop, label, options);
      return c;
    } catch (RuntimeException | IOException e) {
      closeQuietly(c);
      throw e;
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

  private void drop() {
    if (sftp != null) {
      try {
        sftp.close();
      } catch (IOException ignored) {
        // the connection is going away anyway
      }
      sftp = null;
    }
    // The target first, then the hops it runs through.
    for (int i = chain.size() - 1; i >= 0; i--) closeQuietly(chain.get(i));
    chain.clear();
    client = null;
  }

  private static void closeQuietly(SSHClient c) {
    try {
      c.disconnect();
    } catch (IOException ignored) {
      // nothing to do: the connection is unusable either way
    }
  }
}
