package ai.dynamo.deploy.cli.daemon;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One of a request's two output streams (standard output or error): what the command writes is buffered and sent
 * as one frame of its kind on each flush ({@code println} flushes, as on a terminal). The two writers of a request
 * share its connection and one writing thread, so frames go out whole and in order.
 */
final class FrameWriter extends OutputStream {
  private final DataOutputStream connection;
  private final ExecutorService writer;
  private final byte kind;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private volatile boolean sent;
  private volatile boolean muted;

  /**
   * @param writer the one thread that writes to the connection: a thread interrupted while it writes to a socket
   *     channel closes the channel, and the command's threads are interrupted (a spinner when its work is done)
   */
  FrameWriter(DataOutputStream connection, ExecutorService writer, byte kind) {
    this.connection = connection;
    this.writer = writer;
    this.kind = kind;
  }

  /** A writer in this JVM's default charset, the client's when the client started the daemon. */
  PrintWriter printWriter() {
    return new PrintWriter(new OutputStreamWriter(this, Charset.defaultCharset()), true);
  }

  /** Whether a frame of this stream went to the client (then the command can no longer be handed back). */
  boolean sent() {
    return sent;
  }

  /** Drops everything written from now on: the request has ended for its client (interrupted, or handed back). */
  synchronized void mute() {
    muted = true;
    pending.reset();
  }

  @Override
  public synchronized void write(int b) {
    if (!muted) pending.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (!muted) pending.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    byte[] bytes;
    synchronized (this) {
      if (muted || pending.size() == 0) return;
      bytes = pending.toByteArray();
      pending.reset();
      sent = true;
    }
    Future<?> written = writer.submit(() -> {
      Wire.frame(connection, kind, bytes, 0, bytes.length);
      return null;
    });
    try {
      written.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the frame is still written, in order
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
