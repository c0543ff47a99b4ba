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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * One SSH connection to the login node, opened lazily and reused for every command and file of an activity, with
 * keepalive. A dropped connection is re-established on the next use; a command that was running when it dropped
 * is re-run only when it is {@link RemoteShell.Retry#SAFE}. Host keys are always verified
 * ({@link KnownHostsVerifier}); authentication is by key only.
 */
public final class SshConnection implements RemoteShell, AutoCloseable {
  private static final long COMMAND_TIMEOUT_SECONDS = 120;

  private final SshEndpoint endpoint;
  private final SshOptions options;
  private SSHClient client;
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
    try {
      return exec(connection(), command);
    } catch (IOException e) {
      drop();
      if (retry != Retry.SAFE) {
        throw new IOException("the connection to " + endpoint.display()
            + " dropped while a command ran; whether it took effect is unknown", e);
      }
      return exec(connection(), command);
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
    withSftp(s -> {
      FileAttributes attrs = new FileAttributes.Builder().withPermissions(mode).build();
      try (RemoteFile f = s.open(tmp, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC), attrs);
          OutputStream out = f.new RemoteFileOutputStream()) {
        out.write(content);
      }
      s.chmod(tmp, mode);
      return null;
    });
    // SFTP v3 (OpenSSH) cannot rename over an existing file; mv can, atomically within a directory.
    Result mv = run("mv -f -- " + Shell.quote(tmp) + " " + Shell.quote(path), Retry.SAFE);
    if (!mv.ok() && readFile(path).isEmpty()) {
      throw new IOException("cannot move " + tmp + " to " + path + ": " + mv.stderr().strip());
    }
  }

  @Override
  public synchronized Optional<String> readFile(String path) throws IOException {
    return withSftp(s -> {
      if (s.statExistence(path) == null) return Optional.<String>empty();
      try (RemoteFile f = s.open(path); InputStream in = f.new RemoteFileInputStream()) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
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

  private static Result exec(SSHClient c, String command) throws IOException {
    try (Session session = c.startSession()) {
      Session.Command cmd = session.exec(command);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errReader = new Thread(() -> {
        try {
          cmd.getErrorStream().transferTo(err);
        } catch (IOException ignored) {
          // the exit status below tells what happened
        }
      }, "ssh-stderr");
      errReader.setDaemon(true);
      errReader.start();
      byte[] out = cmd.getInputStream().readAllBytes();
      cmd.join(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      try {
        errReader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      Integer exit = cmd.getExitStatus();
      if (exit == null) throw new IOException("no exit status for a command (connection lost?)");
      return new Result(exit, new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  private SSHClient connection() throws IOException {
    if (client != null && client.isConnected() && client.isAuthenticated()) return client;
    drop();
    DefaultConfig config = new DefaultConfig();
    config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    SSHClient c = new SSHClient(config);
    KnownHostsVerifier verifier = knownHosts();
    c.addHostKeyVerifier(verifier);
    c.setConnectTimeout((int) options.connectTimeout().toMillis());
    try {
      try {
        c.connect(endpoint.hostName(), endpoint.port());
      } catch (UnknownHostException e) {
        throw new SlurmError(SlurmError.Kind.UNREACHABLE, "cannot resolve ssh host " + endpoint.hostName(), e);
      } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
        throw new SlurmError(SlurmError.Kind.UNREACHABLE,
            "cannot connect to " + endpoint.display() + ": " + e.getMessage(), e);
      } catch (IOException e) {
        if (verifier.refusal() != null) throw verifier.refusal();
        throw new SlurmError(SlurmError.Kind.UNREACHABLE,
            "ssh connection to " + endpoint.display() + " failed: " + e.getMessage(), e);
      }
      c.getConnection().getKeepAlive().setKeepAliveInterval((int) options.keepAlive().toSeconds());
      authenticate(c);
      client = c;
      return c;
    } catch (RuntimeException | IOException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private void authenticate(SSHClient c) throws IOException {
    if (endpoint.identityFiles().isEmpty()) {
      throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "no ssh key for " + endpoint.display()
          + ": give one with --ssh-key, an IdentityFile in ~/.ssh/config, or ~/.ssh/id_ed25519");
    }
    List<KeyProvider> keys = new ArrayList<>();
    for (Path p : endpoint.identityFiles()) {
      if (!Files.isReadable(p)) {
        throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "ssh key " + p + " cannot be read");
      }
      keys.add(loadKey(c, p, options.passphrase()));
    }
    try {
      c.authPublickey(endpoint.user(), keys);
    } catch (UserAuthException e) {
      String hint = options.passphrase() == null
          ? " (if the key is encrypted, set " + SshOptions.PASSPHRASE_ENV + " in the worker's environment)"
          : "";
      throw new SlurmError(SlurmError.Kind.AUTHENTICATION_REFUSED, "ssh login to " + endpoint.display()
          + " refused for key(s) " + endpoint.identityFiles() + hint, e);
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

  private KnownHostsVerifier knownHosts() {
    Path file = options.knownHosts();
    if (!Files.isRegularFile(file) && !options.acceptNewHostKey()) {
      throw new SlurmError(SlurmError.Kind.UNKNOWN_HOST_KEY, "known_hosts file " + file + " does not exist, so the"
          + " host key of " + endpoint.display() + " cannot be verified; create it with ssh-keyscan -p "
          + endpoint.port() + " " + endpoint.hostName() + " >> " + file + " after checking the fingerprint");
    }
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.createFile(file);
      }
      return new KnownHostsVerifier(file.toFile(), options.acceptNewHostKey());
    } catch (IOException e) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "cannot read known_hosts " + file + ": " + e.getMessage());
    }
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
    if (client != null) {
      closeQuietly(client);
      client = null;
    }
  }

  private static void closeQuietly(SSHClient c) {
    try {
      c.disconnect();
    } catch (IOException ignored) {
      // nothing to do: the connection is unusable either way
    }
  }
}
