package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which build a process runs: the jar's path, size and modification time. A daemon serves only clients of its own
 * build (a rebuilt jar under a running JVM makes its next class load fail), and exits when its jar changes on disk.
 *
 * @param path the jar (or, in tests and IDEs, the classes directory)
 * @param size its size in bytes, -1 when it is gone
 * @param modifiedMillis its modification time, -1 when it is gone
 */
public record JarIdentity(Path path, long size, long modifiedMillis) {

  /** The jar or directory this class was loaded from, as it is on disk now. */
  public static JarIdentity ofThisProcess() {
    try {
      return of(Path.of(JarIdentity.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException | RuntimeException e) {
      return new JarIdentity(Path.of("unknown"), -1, -1);
    }
  }

  /** {@code path} as it is on disk now. */
  public static JarIdentity of(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    try {
      BasicFileAttributes a = Files.readAttributes(absolute, BasicFileAttributes.class);
      return new JarIdentity(absolute, a.size(), a.lastModifiedTime().toMillis());
    } catch (IOException e) {
      return new JarIdentity(absolute, -1, -1);
    }
  }

  /** The same file, read again: differs from this one when the jar was rebuilt or removed. */
  public JarIdentity now() {
    return of(path);
  }

  /** How it travels in a request. */
  public String encoded() {
    return path + "|" + size + "|" + modifiedMillis;
  }
}
