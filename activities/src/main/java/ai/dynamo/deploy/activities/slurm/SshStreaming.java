package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.io.InputStream;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * A running command's output, as {@link SshConnection#follow} started it (stdout; the command merges stderr into it if
 * it wants it): closing it sends EOF to the command's stdin, closes its channel and gives the channel back.
 */
public final class SshStreaming implements AutoCloseable {
  private final Session session;
  private final Session.Command command;
  private final Runnable giveBackChannel;
  private boolean closed;

  /** Runs {@code command} on {@code session}, just opened for it; on failure closes it and gives the channel back. */
  static SshStreaming start(Session session, String command, Runnable giveBackChannel) throws IOException {
    try {
      return new SshStreaming(session, session.exec(command), giveBackChannel);
    } catch (IOException | RuntimeException e) {
      session.close();
      giveBackChannel.run();
      throw e;
    }
  }

  private SshStreaming(Session session, Session.Command command, Runnable giveBackChannel) {
    this.session = session;
    this.command = command;
    this.giveBackChannel = giveBackChannel;
  }

  public InputStream output() {
    return command.getInputStream();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    giveBackChannel.run();
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
