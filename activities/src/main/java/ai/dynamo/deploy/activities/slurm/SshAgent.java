package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Sha256;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A client of the ssh-agent protocol (draft-miller-ssh-agent: list identities, sign) over the agent's Unix domain
 * socket ({@code SSH_AUTH_SOCK} or {@code IdentityAgent}). sshj has no agent support and the Java agent libraries
 * (jsch-agent-proxy, via JNA) are unmaintained; Java 17 speaks to Unix sockets itself, and these two requests are
 * all authentication needs. Private keys never leave the agent. Every exchange is bounded by {@link #TIMEOUT}.
 */
public final class SshAgent {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_MESSAGE = 256 * 1024;
  private static final byte REQUEST_IDENTITIES = 11;
  private static final byte IDENTITIES_ANSWER = 12;
  private static final byte SIGN_REQUEST = 13;
  private static final byte SIGN_RESPONSE = 14;
  /** Sign flags asking for rsa-sha2-256 / rsa-sha2-512 signatures from an RSA key. */
  static final int RSA_SHA2_256 = 2;
  static final int RSA_SHA2_512 = 4;

  /** A key the agent holds: its public key blob (SSH wire format) and comment. */
  public record Identity(byte[] blob, String comment) {
    /** The key type, e.g. {@code ssh-ed25519}. */
    public String type() {
      return new String(readString(ByteBuffer.wrap(blob)), StandardCharsets.UTF_8);
    }

    /** {@code SHA256:...} as ssh-add -l prints it. */
    public String fingerprint() {
      return fingerprintOf(blob);
    }

    @Override
    public String toString() {
      return type() + " " + fingerprint() + (comment.isBlank() ? "" : " (" + comment + ")");
    }
  }

  private final Path socket;

  public SshAgent(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  /** The keys the agent offers, in its order. */
  public List<Identity> identities() throws IOException {
    ByteBuffer answer = exchange(new byte[] {REQUEST_IDENTITIES});
    if (answer.get() != IDENTITIES_ANSWER) throw new IOException("ssh-agent at " + socket + " refused to list keys");
    int n = answer.getInt();
    if (n < 0 || n > 1000) throw new IOException("ssh-agent at " + socket + " sent a malformed key list");
    List<Identity> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] blob = readString(answer);
      keys.add(new Identity(blob, new String(readString(answer), StandardCharsets.UTF_8)));
    }
    return keys;
  }

  /** The agent's signature of {@code data} ({@code string algorithm, string signature}), for the auth request. */
  public byte[] sign(byte[] blob, byte[] data, int flags) throws IOException {
    ByteBuffer req = ByteBuffer.allocate(1 + 4 + blob.length + 4 + data.length + 4);
    req.put(SIGN_REQUEST).putInt(blob.length).put(blob).putInt(data.length).put(data).putInt(flags);
    ByteBuffer answer = exchange(req.array());
    if (answer.get() != SIGN_RESPONSE) {
      throw new IOException("ssh-agent at " + socket + " refused to sign with key " + fingerprintOf(blob)
          + " (a key added with ssh-add -c needs a confirmation the worker cannot give)");
    }
    return readString(answer);
  }

  /** One request and its answer, each {@code uint32 length, body}. */
  private ByteBuffer exchange(byte[] body) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) waitFor(selector, deadline, ch, SelectionKey.OP_WRITE);
      }
      ByteBuffer len = read(ch, selector, deadline, ByteBuffer.allocate(4));
      int n = len.getInt();
      if (n <= 0 || n > MAX_MESSAGE) throw new IOException("ssh-agent at " + socket + " sent a malformed answer");
      return read(ch, selector, deadline, ByteBuffer.allocate(n));
    }
  }

  private ByteBuffer read(SocketChannel ch, Selector selector, long deadline, ByteBuffer into) throws IOException {
    while (into.hasRemaining()) {
      int r = ch.read(into);
      if (r < 0) throw new IOException("ssh-agent at " + socket + " closed the connection");
      if (r == 0) waitFor(selector, deadline, ch, SelectionKey.OP_READ);
    }
    return into.flip();
  }

  private void waitFor(Selector selector, long deadline, SocketChannel ch, int op) throws IOException {
    ch.keyFor(selector).interestOps(op);
    long left = deadline - System.nanoTime();
    if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
      throw new IOException("ssh-agent at " + socket + " did not answer within " + TIMEOUT.toSeconds() + " s");
    }
    selector.selectedKeys().clear();
  }

  private static byte[] readString(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("malformed ssh-agent message");
    byte[] s = new byte[n];
    b.get(s);
    return s;
  }

  /** The OpenSSH fingerprint {@code SHA256:<base64 without padding>} of a public key blob, as ssh-add -l shows it. */
  static String fingerprintOf(byte[] blob) {
    return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(Sha256.digest(blob));
  }
}
