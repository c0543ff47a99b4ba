package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the daemon's socket, lock and log live: {@code $XDG_RUNTIME_DIR/dynamo}, else {@code ~/.dynamo/run}, a
 * directory only its owner may enter (mode 0700). Anyone who can connect to the socket runs commands with the
 * daemon's credentials, so a directory owned by someone else or open to others is refused, and the command runs in
 * its own process instead. One daemon per jar path (several checkouts do not evict each other's).
 *
 * @param dir the directory, checked
 */
public record SocketDirectory(Path dir) {
  private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

  /** The directory for this environment. */
  public static Path location(Map<String, String> env, String userHome) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Path.of(runtime).isAbsolute()) return Path.of(runtime, "dynamo");
    return Path.of(userHome, ".dynamo", "run");
  }

  /**
   * The directory, created owner-only when missing; empty when it exists with another owner, other permissions, or
   * as a symbolic link, or cannot be made (the reason goes to {@code problem}).
   */
  public static Optional<SocketDirectory> open(Path dir, StringBuilder problem) {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir.getParent());
        try {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // another client made it meanwhile: checked below like any existing one
        }
        Files.setPosixFilePermissions(dir, OWNER_ONLY); // the umask may have narrowed the mode at creation
      }
      PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name"));
      if (!a.isDirectory()) problem.append(dir).append(" is not a directory");
      else if (!a.owner().equals(me)) problem.append(dir).append(" is owned by ").append(a.owner().getName());
      else if (!a.permissions().equals(OWNER_ONLY)) {
        problem.append(dir).append(" has mode ").append(PosixFilePermissions.toString(a.permissions()))
            .append(", not rwx------");
      }
      return problem.isEmpty() ? Optional.of(new SocketDirectory(dir)) : Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      problem.append("cannot use ").append(dir).append(": ").append(e.getMessage());
      return Optional.empty();
    }
  }

  /** The socket of the daemon that serves {@code jar}. */
  public Path socket(Path jar) {
    return dir.resolve(stem(jar) + ".sock");
  }

  /** Held by the one daemon of {@code jar} while it runs. */
  public Path lock(Path jar) {
    return dir.resolve(stem(jar) + ".lock");
  }

  /** The daemon's own output (never a request's environment or arguments). */
  public Path log(Path jar) {
    return dir.resolve(stem(jar) + ".log");
  }

  // Short and fixed-length: a Unix socket path may not exceed 107 bytes. FNV-1a, not SHA-256: initialising the
  // JDK's security providers would cost the thin client some 30 ms; a collision (odds 2^-64) would only make two
  // checkouts take turns with one daemon (it checks the jar of every request).
  private static String stem(Path jar) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : jar.toString().getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return "daemon-" + Long.toHexString(hash);
  }
}
