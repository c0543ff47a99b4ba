package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import ai.dynamo.deploy.render.RenderedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes rendered files below one output directory and nowhere else: every relative path is checked before
 * anything is written, and no existing symbolic link is followed out of the directory.
 */
public final class OutputWriter {
  private OutputWriter() {}

  /**
   * Writes the files and returns the paths written (the output directory joined with each relative path), in
   * order.
   *
   * @throws UserError ({@link ExitCodes#INVALID}) when the directory is a file or a path is absolute or escapes
   *     it; nothing is written then
   */
  public static List<Path> write(Path outDir, List<RenderedFile> files) {
    checkDirectory(outDir);
    List<Path> targets = new ArrayList<>();
    for (RenderedFile file : files) targets.add(resolveInside(outDir, file.relativePath()));
    try {
      Files.createDirectories(outDir);
      Path root = outDir.toRealPath();
      for (int i = 0; i < files.size(); i++) {
        RenderedFile file = files.get(i);
        Path target = targets.get(i);
        Files.createDirectories(target.getParent());
        // A directory or file below DIR that is a symlink could point anywhere: refuse rather than follow it.
        if (!target.getParent().toRealPath().startsWith(root) || Files.isSymbolicLink(target)) {
          throw new UserError(ExitCodes.INVALID,
              "error: refusing to write " + target + ": a symbolic link leads out of " + outDir);
        }
        Files.writeString(target, file.content(), StandardCharsets.UTF_8);
        if (file.executable()) makeExecutable(target);
      }
    } catch (IOException e) {
      throw new UserError(ExitCodes.INVALID, "error: cannot write to " + outDir + ": " + e.getMessage(), e);
    }
    return targets;
  }

  /** Refuses an output directory that exists as something other than a directory. */
  public static void checkDirectory(Path outDir) {
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UserError(ExitCodes.INVALID, "error: --out_dir " + outDir + " exists and is not a directory");
    }
  }

  /** outDir/relativePath, refusing absolute paths, {@code ..} and empty segments. */
  static Path resolveInside(Path outDir, String relativePath) {
    boolean bad =
        relativePath == null
            || relativePath.isEmpty()
            || relativePath.startsWith("/")
            || relativePath.contains("\\")
            || relativePath.contains(":")
            || relativePath.endsWith("/");
    if (!bad) {
      for (String segment : relativePath.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) bad = true;
      }
    }
    Path resolved = bad ? null : outDir.resolve(relativePath).normalize();
    if (bad || !resolved.startsWith(outDir.normalize())) {
      throw new UserError(ExitCodes.INVALID,
          "error: refusing to write \"" + relativePath + "\": rendered paths must stay inside " + outDir);
    }
    return resolved;
  }

  private static void makeExecutable(Path file) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      file.toFile().setExecutable(true, false);
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    perms.add(PosixFilePermission.OWNER_EXECUTE);
    if (perms.contains(PosixFilePermission.GROUP_READ)) perms.add(PosixFilePermission.GROUP_EXECUTE);
    if (perms.contains(PosixFilePermission.OTHERS_READ)) perms.add(PosixFilePermission.OTHERS_EXECUTE);
    Files.setPosixFilePermissions(file, perms);
  }
}
