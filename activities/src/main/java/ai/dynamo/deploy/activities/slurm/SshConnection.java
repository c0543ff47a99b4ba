package ai.dynamo.deploy.activities.slurm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH connection to the login node, opened lazily and reused for every command and file of an activity (and
 * kept for later activities and deploy runs of the same login by {@link SshConnectionPool}), with keepalive. With
 * {@code ProxyJump} hops it is a chain: each hop is reached through a direct-tcpip channel of the one before, with its
 * own host key check and login ({@link SshHopLogin}). A dropped connection (any hop) is re-established on the next
 * use, the whole chain at once; a command that was running when it dropped is re-run only when it is
 * {@link RemoteShell.Retry#SAFE}. Host keys are always verified ({@link HostKeyCheck}); authentication is by
 * public key, from ssh-agent or key files ({@link SshAuthenticator}).
 */
public final class SshConnection implements RemoteShell, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SshConnection.class);
  private final SshEndpoint endpoint;
  private final SshOptions options;
  private SSHClient client;
  private final List<SshHopLogin> chain = new ArrayList<>();
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
    } catch (SshCommand.CommandTimeout e) {
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
    chain.get(hop).close();
  }

  /** The local TCP port of the first hop's socket (tests find the server's process for it), or -1. */
  synchronized int localPortForTest() {
    return chain.isEmpty() ? -1 : chain.get(0).client().getLocalPort();
  }

  /**
   * Whether this idle connection may serve a new deploy run, or why not (null: it may). It must be logged in on every
   * hop (sshj's transport state), each hop's host key must still be recorded in its known_hosts files as they are now
   * (a file read), and the login node must answer one keepalive request within {@code answerWithin} (one round trip
   * over the whole chain: a peer that vanished without closing the TCP connection does not answer).
   */
  synchronized String reusableForNewRun(Duration answerWithin) {
    if (client == null || chain.isEmpty()) return "it is not connected";
    for (SshHopLogin hop : chain) {
      if (!hop.alive()) return "the connection to " + hop.hop().display() + " is closed";
    }
    for (SshHopLogin hop : chain) {
      String why = hop.stillTrusted(options);
      if (why != null) return why;
    }
    return SshKeepalive.answers(client, answerWithin);
  }

  /** When and how long the current login took (for the log), or null when not connected. */
  synchronized String loginSummary() {
    if (chain.isEmpty()) return null;
    StringBuilder b = new StringBuilder();
    for (SshHopLogin hop : chain) {
      if (b.length() > 0) b.append("; ");
      b.append(hop.hop().display()).append(": connect and key exchange ").append(hop.connectMillis())
          .append(" ms, login ").append(hop.loginMillis()).append(" ms");
    }
    return b.toString();
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

  private Result exec(SSHClient c, String command, byte[] stdin) throws IOException {
    return SshCommand.exec(c, command, stdin, options.commandTimeout(), endpoint.display());
  }

  private SSHClient connection() throws IOException {
    if (client != null && chainAlive()) return client;
    boolean reconnect = client != null;
    drop();
    List<SshEndpoint> hops = new ArrayList<>(endpoint.jumps());
    hops.add(endpoint);
    try {
      for (int i = 0; i < hops.size(); i++) {
        SshEndpoint hop = hops.get(i);
        String label = hops.size() == 1 ? hop.display()
            : (i + 1 < hops.size() ? "jump host " : "login node ") + hop.display() + " (hop " + (i + 1) + " of "
                + hops.size() + ": " + endpoint.route() + ")";
        chain.add(SshHopLogin.open(hop, label, i == 0 ? null : chain.get(i - 1).client(), options));
      }
      client = chain.get(chain.size() - 1).client();
      log.info("ssh: {} {} ({})", reconnect ? "logged in again to" : "logged in to", endpoint.route(), loginSummary());
      return client;
    } catch (RuntimeException | IOException e) {
      drop();
      throw e;
    }
  }

  private boolean chainAlive() {
    for (SshHopLogin hop : chain) {
      if (!hop.alive()) return false;
    }
    return true;
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
    for (int i = chain.size() - 1; i >= 0; i--) chain.get(i).close();
    chain.clear();
    client = null;
  }
}
