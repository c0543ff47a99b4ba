package ai.dynamo.deploy.activities.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * One remote command on a session channel of its own, its output collected, bounded by a timeout: a command that does
 * not end in time (a hung file system, a controller that does not answer) is abandoned with an error, never waited
 * on.
 */
final class SshCommand {
  private SshCommand() {}

  /** A command that did not end within the command timeout. */
  static final class CommandTimeout extends IOException {
    CommandTimeout(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs {@code command} on {@code session} (a session channel just opened for it) and closes the session.
   *
   * @param where the endpoint, for messages
   */
  static RemoteShell.Result exec(Session session, String command, byte[] stdin, Duration timeout, String where)
      throws IOException {
    RemoteShell.Result result;
    try {
      result = collect(session, command, stdin, timeout, where);
    } catch (CommandTimeout e) {
      // OpenSSH answers a channel close only once the command's process has ended, so closing this one may wait the
      // connection's timeout (30 s): it is closed on a thread of its own and the caller has its error at the bound.
      Thread closer = new Thread(() -> closeQuietly(session), "ssh-close");
      closer.setDaemon(true);
      closer.start();
      throw e;
    } catch (IOException | RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
    session.close();
    return result;
  }

  private static RemoteShell.Result collect(Session session, String command, byte[] stdin, Duration timeout,
      String where) throws IOException {
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
      cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ConnectionException e) {
      // sshj's Promise reports a wait that ran out as a TimeoutException cause; any other error is the connection's
      // (dropped or closed), which the caller may answer by running the command again.
      if (cmd.getExitStatus() == null && e.getCause() instanceof TimeoutException) {
        throw new CommandTimeout("a command on " + where + " did not finish within " + timeout.toSeconds() + "s", e);
      }
      if (cmd.getExitStatus() == null) throw e;
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
      return new RemoteShell.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  private static void closeQuietly(Session session) {
    try {
      session.close();
    } catch (IOException ignored) {
      // the channel or the connection is gone already
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
}
