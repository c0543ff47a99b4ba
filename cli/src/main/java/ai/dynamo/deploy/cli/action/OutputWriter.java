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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes rendered files below one output directory and nowhere else: every relative path is checked before
 * anything is written, and no existing symbolic link is followed out of the directory. The directory then holds
 * exactly this render's files of ours: files an earlier render wrote there ({@link RenderRecord}) and this one does
 * not are removed; files that are not ours are never touched, and one that a consumer of the render would take for
 * part of it (a {@code .yaml} for {@code kubectl apply -f DIR}, a {@code .sbatch}) makes the render refuse.
 * Temporary files an interrupted render left beside files of ours are removed too.
 */
public final class OutputWriter {
  private OutputWriter() {}

  /** Suffix of the temporary file each file is written to before it is renamed into place. */
  static final String TEMP_SUFFIX = ".dynamo-tmp";

  /**
   * @param written the paths written (the output directory joined with each relative path), in order
   * @param removed files of an earlier render that this one no longer has, and temporary files an interrupted
   *     render left, removed
   */
  public record Written(List<Path> written, List<Path> removed) {}

  /**
   * Writes the files, then removes what an earlier render left.
   *
   * @param origin what was rendered, for the record's header (e.g. {@code graph demo, target k8s})
   * @throws UserError ({@link ExitCodes#INVALID}) when the directory is a file, a path is absolute or escapes it, or
   *     it holds files not of ours that look like this render's; nothing is written or removed then
   */
  public static Written write(Path outDir, List<RenderedFile> files, String origin) {
    checkDirectory(outDir);
    List<Path> targets = new ArrayList<>();
    Set<String> paths = new LinkedHashSet<>();
    for (RenderedFile file : files) {
      targets.add(resolveInside(outDir, file.relativePath()));
      paths.add(file.relativePath());
    }
    try {
      Set<String> previous = Files.isDirectory(outDir) ? RenderRecord.read(outDir) : Set.of();
      refuseForeign(outDir, previous, paths);
      Files.createDirectories(outDir);
      Path root = outDir.toRealPath();
      // The record names every file of ours at each step: a render cut short leaves nothing it would not recognise.
      Set<String> both = new LinkedHashSet<>(previous);
      both.addAll(paths);
      List<Path> removed = removeLeftoverTemps(outDir, root, both);
      RenderRecord.write(outDir, origin, both);
      for (int i = 0; i < files.size(); i++) {
        Path target = targets.get(i);
        Files.createDirectories(target.getParent());
        refuseLinkOut(outDir, root, target);
        replace(target, files.get(i).content(), files.get(i).executable());
      }
      RenderRecord.write(outDir, origin, paths);
      removed.addAll(removeStale(outDir, root, previous, paths));
      return new Written(targets, removed);
    } catch (IOException e) {
      throw new UserError(ExitCodes.INVALID, "error: cannot write to " + outDir + ": " + e.getMessage(), e);
    }
  }

  /** Writes a file under a temporary name beside it and renames it into place: never a half-written file. */
  static void replace(Path target, String content, boolean executable) throws IOException {
    Path temp = tempFor(target);
    Files.deleteIfExists(temp);
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      if (executable) makeExecutable(temp);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + TEMP_SUFFIX);
  }

  /**
   * Removes the temporary files a render cut short between writing and renaming left beside files of ours (the
   * record's and those it names). Only those names: a user's file is never one of them.
   */
  private static List<Path> removeLeftoverTemps(Path outDir, Path root, Set<String> ours) throws IOException {
    Set<Path> temps = new LinkedHashSet<>();
    temps.add(tempFor(outDir.resolve(RenderRecord.NAME)));
    for (String rel : ours) temps.add(tempFor(resolveInside(outDir, rel)));
    List<Path> removed = new ArrayList<>();
    for (Path temp : temps) {
      // Never through a symbolic link out of DIR, and never a link itself: ours are plain files.
      if (!Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS) || !temp.getParent().toRealPath().startsWith(root)) {
        continue;
      }
      Files.delete(temp);
      removed.add(temp);
    }
    return removed;
  }

  // A directory or file below DIR that is a symlink could point anywhere: refuse rather than follow it.
  private static void refuseLinkOut(Path outDir, Path root, Path target) throws IOException {
    if (!target.getParent().toRealPath().startsWith(root) || Files.isSymbolicLink(target)) {
      throw new UserError(ExitCodes.INVALID,
          "error: refusing to write " + target + ": a symbolic link leads out of " + outDir);
    }
  }

  /**
   * Refuses when the directory holds a file we did not render there at a path this render writes, or of a kind it
   * writes (its extension): applying or submitting the directory would take it for part of this graph.
   */
  private static void refuseForeign(Path outDir, Set<String> previous, Set<String> paths) throws IOException {
    if (!Files.isDirectory(outDir)) return;
    Set<String> kinds = new TreeSet<>();
    for (String p : paths) kinds.add(extension(p));
    kinds.remove("");
    List<String> foreign = new ArrayList<>();
    Path root = outDir.toRealPath(); // DIR itself may be a link to the directory; nothing below it is followed
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (rel.equals(RenderRecord.NAME) || previous.contains(rel)) continue;
        if (paths.contains(rel) || kinds.contains(extension(rel))) foreign.add(rel);
      }
    }
    if (foreign.isEmpty()) return;
    throw new UserError(ExitCodes.INVALID, "error: --out_dir " + outDir + " holds " + foreign.size()
        + (foreign.size() == 1 ? " file" : " files") + " that dynamo did not render there: "
        + String.join(", ", foreign.size() > 10 ? foreign.subList(0, 10) : foreign)
        + (foreign.size() > 10 ? " and " + (foreign.size() - 10) + " more" : "")
        + "; applying or submitting the directory would take them for part of this graph. Move them away or render "
        + "into another directory (files of other kinds, such as a README, are left alone; " + RenderRecord.NAME
        + " lists the files of ours)");
  }

  /** Removes the files an earlier render wrote and this one does not, and directories they leave empty. */
  private static List<Path> removeStale(Path outDir, Path root, Set<String> previous, Set<String> paths)
      throws IOException {
    List<Path> removed = new ArrayList<>();
    for (String rel : previous) {
      if (paths.contains(rel)) continue;
      Path stale = resolveInside(outDir, rel);
      if (!Files.exists(stale, LinkOption.NOFOLLOW_LINKS) || !stale.getParent().toRealPath().startsWith(root)) continue;
      Files.delete(stale); // a symbolic link is removed itself, never what it points to
      removed.add(stale);
      for (Path dir = stale.getParent(); !dir.equals(outDir.normalize()) && isEmptyDirectory(dir); dir = dir.getParent()) {
        Files.delete(dir);
      }
    }
    return removed;
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static String extension(String relativePath) {
    String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(dot + 1) : "";
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
