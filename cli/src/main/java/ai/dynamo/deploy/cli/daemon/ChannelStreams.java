package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a socket channel that one thread may read while another writes. The JDK's
 * {@code Channels.newInputStream/newOutputStream} hold the channel's blocking lock for the whole of a read, so a
 * write would wait for the read to end: the daemon reads (to notice a client that went away) while it writes.
 */
final class ChannelStreams {
  private ChannelStreams() {}

  static InputStream in(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        return channel.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  static OutputStream out(SocketChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) channel.write(buffer);
      }
    };
  }
}
