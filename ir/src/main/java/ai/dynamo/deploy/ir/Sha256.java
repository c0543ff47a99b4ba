package ai.dynamo.deploy.ir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 in the one form the project stores and compares it: lower-case hex (graph, spec and component digests,
 * hash suffixes of Kubernetes names, SSH login keys). Here, in {@code ir}, because every module depends on it.
 */
public final class Sha256 {
  private Sha256() {}

  /** The raw 32-byte digest of {@code bytes} (for encodings other than hex, such as OpenSSH's base64). */
  public static byte[] digest(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  /** Lower-case hex of the digest of {@code bytes}: 64 characters. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(digest(bytes));
  }

  /** Lower-case hex of the digest of {@code text} encoded as UTF-8. */
  public static String hex(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Lower-case hex of the digest of everything {@code in} holds, read in chunks (the stream is not closed). */
  public static String hex(InputStream in) throws IOException {
    MessageDigest sha = newDigest();
    byte[] buf = new byte[8192];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) sha.update(buf, 0, n);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM (every Java platform must have it)", e);
    }
  }
}
