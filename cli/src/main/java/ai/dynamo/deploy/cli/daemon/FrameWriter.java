package ai.dynamo.deploy.cli.daemon;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * One of a request's two output streams (standard output or error): what the command writes is buffered and sent
 * as one frame of its kind on each flush ({@code println} flushes, as on a terminal). The two writers of a request
 * share its connection, each frame written whole.
 */
final class FrameWriter extends OutputStream {
  private final DataOutputStream connection;
  private final byte kind;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  FrameWriter(DataOutputStream connection, byte kind) {
    this.connection = connection;
    this.kind = kind;
  }

  /** A writer in this JVM's default charset, the client's when the client started the daemon. */
  PrintWriter printWriter() {
    return new PrintWriter(new OutputStreamWriter(this, Charset.defaultCharset()), true);
  }

  @Override
  public synchronized void write(int b) {
    pending.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    pending.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    byte[] bytes;
    synchronized (this) {
      if (pending.size() == 0) return;
      bytes = pending.toByteArray();
      pending.reset();
    }
    synchronized (connection) {
      Wire.frame(connection, kind, bytes, 0, bytes.length);
    }
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
