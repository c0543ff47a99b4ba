package ai.dynamo.deploy.activities.slurm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * own host key check and login ({@link SshLoginChain}). A dropped connection (any hop) is re-established on the next
 * use, the whole chain at once; a command that was running when it dropped is re-run only when it is
 * {@link RemoteShell.Retry#SAFE}. Host keys are always verified ({@link HostKeyCheck}); authentication is by
 * public key, from ssh-agent or key files ({@link SshAuthenticator}).
 *
 * <p>Commands and file operations run at once from several threads (readiness waits share a connection): sshj gives
 * each command a channel of its own (ConnectionImpl keeps channels in a ConcurrentHashMap with atomic IDs;
 * TransportImpl writes packets under one write lock; one reader thread dispatches to channels) and multiplexes SFTP
 * requests by ID (SFTPEngine, PacketReader). So this class's lock guards only which login is current: logging in,
 * replacing a dropped login (once, for all the commands it broke), and closing. A slow command delays no other.
 */
public final class SshConnection implements RemoteShell, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SshConnection.class);
  private final SshEndpoint endpoint;
  private final SshOptions options;
  private SshLoginChain chain; // guarded by this
  private int logins; // guarded by this
  private SshLoginChain reloginFailedAfter; // guarded by this: the dropped login that could not be replaced, and why
  private Exception reloginFailure;
  private Exception aheadFailure; // guarded by this: how the login started ahead ({@link #openAhead}) failed
  private long aheadFailedAt; // guarded by this: System.nanoTime() of that failure
  private final ChannelSlots channels = new ChannelSlots();
  private volatile String home;

  public SshConnection(SshEndpoint endpoint, SshOptions options) {
    this.endpoint = endpoint;
    this.options = options;
  }

  public SshEndpoint endpoint() {
    return endpoint;
  }

  /** Connects now (instead of on first use), so a bad host, key or host key fails early. */
  public void open() throws IOException {
    chain();
  }

  @Override
  public Result run(String command, Retry retry) throws IOException {
    return run(command, null, retry);
  }

  @Override
  public Result run(String command, byte[] stdin, Retry retry) throws IOException {
    SshLoginChain c = chain();
    try {
      return exec(c, command, stdin);
    } catch (SshCommand.CommandTimeout e) {
      // Not run again: it had its time. Its channel is closed; the others' commands go on unless the login node
      // stopped answering, and then the next use logs in afresh.
      if (SshKeepalive.answers(c.client(), SshConnectionPool.ANSWER_WITHIN) != null) replaceIfCurrent(c);
      throw e;
    } catch (IOException e) {
      if (retry != Retry.SAFE) {
        if (c.closedByOwner()) throw closedWhileRunning(e);
        replaceIfCurrent(c);
        throw new IOException("the connection to " + endpoint.display()
            + " dropped while a command ran; whether it took effect is unknown", e);
      }
      SshLoginChain again = relogin(c, e);
      try {
        return exec(again, command, stdin);
      } catch (IOException second) {
        throw again.closedByOwner() ? closedWhileRunning(second) : second;
      }
    }
  }

  /**
   * Starts a long-running command whose output is read as it comes (the status follower): one channel of this
   * connection. Closing the handle sends EOF to the command's stdin and closes the channel.
   */
  public SshStreaming follow(String command) throws IOException {
    return SshStreaming.start(openSession(chain()), command, channels::giveBack);
  }

  /**
   * Runs {@code command} and hands each line of its output to {@code lines} as it arrives, until the command ends
   * or this thread is interrupted ({@code dynamo deploy logs -f}); the connection's keepalive notices a dead peer.
   *
   * @throws InterruptedIOException when interrupted: the caller's way of stopping
   */
  public void stream(String command, Consumer<String> lines) throws IOException {
    SshLoginChain c = chain();
    Session session = openSession(c);
    try (session) {
      Session.Command cmd = session.exec(command);
      BufferedReader out = new BufferedReader(new InputStreamReader(cmd.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) lines.accept(line);
      cmd.join(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw c.closedByOwner() ? closedWhileRunning(e) : e;
    } finally {
      channels.giveBack();
    }
  }

  @Override
  public void mkdirs(String path, int mode) throws IOException {
    withSftp(s -> {
      s.mkdirs(path);
      s.chmod(path, mode);
      return null;
    });
  }

  @Override
  public void writeFile(String path, byte[] content, int mode) throws IOException {
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
  public Optional<String> readFile(String path) throws IOException {
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

  /**
   * Logs in and reads the home now, on this (background) thread, for a step that comes soon
   * ({@link SshConnectionPool#prepare}); that step waits for this login instead of starting its own. When the login
   * fails, the steps that come within the connect timeout get its error rather than a second attempt of the same
   * length (an unreachable host would make the deploy wait twice); later ones try again. Never throws.
   */
  void openAhead() {
    try {
      chain(true);
      home();
    } catch (IOException | RuntimeException e) {
      log.debug("ssh: the login to {} started ahead failed: {}", endpoint.route(), e.getMessage());
    }
  }

  /** The home {@link #home} read on this connection, or null when it has not read it (no round trip). */
  String homeIfRead() {
    return home;
  }

  @Override
  public String home() throws IOException {
    if (home == null) home = withSftp(s -> s.canonicalize(".")); // the same answer if two threads ask at once
    return home;
  }

  /** Drops the connection as a network failure would (tests use it to break a connection at a chosen moment). */
  synchronized void dropForTest() {
    if (chain != null) chain.close(false);
  }

  /** Drops one hop's connection (0: the first jump host), as a network failure would. */
  synchronized void dropHopForTest(int hop) {
    chain.dropHop(hop);
  }

  /** The local TCP port of the first hop's socket (tests find the server's process for it), or -1. */
  synchronized int localPortForTest() {
    return chain == null ? -1 : chain.localPort();
  }

  /** Its channels: how many it runs at once now (lower when the login node allows fewer), and who waits for one. */
  ChannelSlots channels() {
    return channels;
  }

  /** How many times this connection logged in (the first login and every re-login after a drop). */
  synchronized int loginsForTest() {
    return logins;
  }

  /**
   * Whether this idle connection may serve a new deploy run, or why not (null: it may). It must be logged in on every
   * hop (sshj's transport state), each hop's host key must still be recorded in its known_hosts files as they are now
   * (a file read), and the login node must answer one keepalive request within {@code answerWithin} (one round trip
   * over the whole chain: a peer that vanished without closing the TCP connection does not answer).
   */
  String reusableForNewRun(Duration answerWithin) {
    SshLoginChain c;
    synchronized (this) {
      c = chain;
    }
    return c == null ? "it is not connected" : c.reusable(options, answerWithin);
  }

  /** When and how long the current login took (for the log), or null when not connected. */
  synchronized String loginSummary() {
    return chain == null ? null : chain.summary();
  }

  /**
   * Closes the connection; commands running on it end at once with an error naming the endpoint (they are not run
   * again). A later use logs in afresh.
   */
  @Override
  public synchronized void close() {
    if (chain != null) chain.close(true);
    chain = null;
  }

  private interface SftpAction<T> {
    T apply(SFTPClient sftp) throws IOException;
  }

  /** SFTP operations are idempotent (files are written beside their target and renamed), so they are retried. */
  private <T> T withSftp(SftpAction<T> action) throws IOException {
    SshLoginChain c = chain();
    try {
      return action.apply(sftp(c));
    } catch (IOException e) {
      // With a status code the server answered (no such file, permission denied): not a connection problem.
      if (e instanceof SFTPException s && s.getStatusCode() != Response.StatusCode.UNKNOWN) throw e;
      SshLoginChain again = relogin(c, e);
      try {
        return action.apply(sftp(again));
      } catch (IOException second) {
        throw again.closedByOwner() ? closedWhileRunning(second) : second;
      }
    }
  }

  private SFTPClient sftp(SshLoginChain c) throws IOException {
    return channels.sftp(c, options.commandTimeout(), endpoint.display());
  }

  private Result exec(SshLoginChain c, String command, byte[] stdin) throws IOException {
    Session session = openSession(c);
    try {
      return SshCommand.exec(session, command, stdin, options.commandTimeout(), endpoint.display());
    } finally {
      channels.giveBack();
    }
  }

  /**
   * A session channel for one command ({@link ChannelSlots}: within the login node's limit), waited for at most the
   * command timeout.
   */
  private Session openSession(SshLoginChain c) throws IOException {
    return channels.open(c.client(), options.commandTimeout(), endpoint.display());
  }

  /** The current login, or a new one. The lock makes callers that find none wait for one login, not start their own. */
  private SshLoginChain chain() throws IOException {
    return chain(false);
  }

  /** {@link #chain()}; {@code ahead}: for {@link #openAhead}, whose failure the next steps get. */
  private synchronized SshLoginChain chain(boolean ahead) throws IOException {
    if (chain != null && chain.alive()) return chain;
    if (chain != null) chain.close(false);
    chain = null;
    if (aheadFailure != null && System.nanoTime() - aheadFailedAt < options.connectTimeout().toNanos()) {
      if (aheadFailure instanceof IOException e) throw e; // every step that waited for that login gets its answer
      throw (RuntimeException) aheadFailure;
    }
    aheadFailure = null;
    try {
      chain = SshLoginChain.open(endpoint, options);
    } catch (IOException | RuntimeException e) {
      if (ahead) {
        aheadFailure = e;
        aheadFailedAt = System.nanoTime();
      }
      throw e;
    }
    reloginFailedAfter = null;
    log.info("ssh: {} {} ({})", logins++ > 0 ? "logged in again to" : "logged in to", endpoint.route(),
        chain.summary());
    return chain;
  }

  /**
   * The login to run a command again on after {@code failed} broke it: the first of the commands it broke replaces
   * it, the others take that replacement, or that login's error when it failed (one attempt, not one per command).
   * Refused when {@link #close} ended it.
   */
  private synchronized SshLoginChain relogin(SshLoginChain failed, IOException cause) throws IOException {
    if (failed.closedByOwner()) throw closedWhileRunning(cause);
    if (failed == reloginFailedAfter && reloginFailure instanceof IOException e) throw e;
    if (failed == reloginFailedAfter) throw (RuntimeException) reloginFailure; // SlurmError: the hop and the cause
    replaceIfCurrent(failed);
    try {
      return chain();
    } catch (IOException | RuntimeException e) {
      reloginFailedAfter = failed;
      reloginFailure = e;
      throw e;
    }
  }

  /** Forgets {@code failed} unless another command replaced it already (then the replacement stays). */
  private synchronized void replaceIfCurrent(SshLoginChain failed) {
    failed.close(false);
    if (chain == failed) chain = null;
  }

  private IOException closedWhileRunning(IOException cause) {
    return new IOException("the connection to " + endpoint.display() + " was closed while a command ran ("
        + cause.getMessage() + ")", cause);
  }
}
