package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OpenSSH client configuration ({@code ~/.ssh/config}) read as ssh_config(5) describes, for the keys that decide
 * how a host is reached ({@link SshHostConfig}). No maintained Java parser covers them (docs/slurm-target.md,
 * "Reaching the cluster"), so this one is checked against {@code ssh -G} on a corpus of configurations.
 *
 * <p>Parsing keeps every line with its file and line number; {@code Include} is expanded here (globs, relative
 * paths under {@code ~/.ssh}, nested up to {@value #MAX_INCLUDE_DEPTH} levels). {@link #lookup} then walks the
 * lines as OpenSSH does: {@code Host} and {@code Match} switch blocks on and off, an {@code Include} inside a block
 * applies only when the block does, and for each key the first value wins ({@code IdentityFile} accumulates).
 */
public final class SshConfigFile {
  static final int MAX_INCLUDE_DEPTH = 16;

  /** One {@code key value...} line; {@code included} holds the lines of an {@code Include}'s files. */
  record Line(String file, int number, String spelled, List<String> args, List<Line> included) {
    /** The key, lower-cased (keys are case-insensitive). */
    String key() {
      return spelled.toLowerCase(Locale.ROOT);
    }

    String where() {
      return file + ":" + number;
    }
  }

  private final List<Line> lines;

  private SshConfigFile(List<Line> lines) {
    this.lines = lines;
  }

  /** An empty configuration (no file). */
  public static SshConfigFile empty() {
    return new SshConfigFile(List.of());
  }

  /** Reads a file with the worker's own home ({@code ~}, and {@code ~/.ssh} for relative includes). */
  public static SshConfigFile read(Path file) throws IOException {
    return read(file, System.getProperty("user.home"));
  }

  /** Reads a file; a missing file is an empty configuration. */
  public static SshConfigFile read(Path file, String localHome) throws IOException {
    return read(file, Path.of(localHome, ".ssh"), localHome);
  }

  /**
   * @param sshDir where relative {@code Include}s start (OpenSSH 9 takes it from {@code $HOME}, and {@code ~} in
   *     other keys from the password database: the same directory for the worker, not always in tests)
   */
  static SshConfigFile read(Path file, Path sshDir, String localHome) throws IOException {
    if (file == null || !Files.isRegularFile(file)) return new SshConfigFile(List.of());
    return new SshConfigFile(parseFile(file, sshDir, localHome, 0));
  }

  /** Parses text (tests and messages name it {@code <config>}); includes are read relative to ~/.ssh. */
  public static SshConfigFile parse(String text) {
    String home = System.getProperty("user.home");
    try {
      return new SshConfigFile(parseText("<config>", text, Path.of(home, ".ssh"), home, 0));
    } catch (IOException e) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh config: " + e.getMessage(), e);
    }
  }

  /** What the configuration says about {@code host} (as typed: an alias or a name), for the local user. */
  public SshHostConfig lookup(String host) {
    return lookup(host, System.getProperty("user.name"));
  }

  public SshHostConfig lookup(String host, String localUser) {
    return new SshConfigEvaluation(host, localUser).run(lines);
  }

  List<Line> lines() {
    return lines;
  }

  // ---- parsing ------------------------------------------------------------------------------------------------

  private static List<Line> parseFile(Path file, Path sshDir, String home, int depth) throws IOException {
    return parseText(file.toString(), Files.readString(file, StandardCharsets.UTF_8), sshDir, home, depth);
  }

  private static List<Line> parseText(String name, String text, Path sshDir, String home, int depth)
      throws IOException {
    List<Line> out = new ArrayList<>();
    String[] raw = text.split("\r?\n", -1);
    for (int i = 0; i < raw.length; i++) {
      String line = raw[i].strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int number = i + 1;
      String[] kv = splitKeyValue(line);
      if (kv == null) {
        throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
            "ssh config " + name + ":" + number + ": \"" + line + "\" has no value");
      }
      String key = kv[0].toLowerCase(Locale.ROOT);
      List<String> args = tokens(kv[1], name + ":" + number);
      List<Line> included = List.of();
      if (key.equals("include")) {
        if (depth >= MAX_INCLUDE_DEPTH) {
          throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
              "ssh config " + name + ":" + number + ": Include nested deeper than " + MAX_INCLUDE_DEPTH + " levels");
        }
        included = new ArrayList<>();
        for (String pattern : args) {
          String p = expandTilde(pattern, home);
          Path base = Path.of(p).isAbsolute() ? Path.of(p) : sshDir.resolve(p);
          for (Path f : glob(base)) included.addAll(parseFile(f, sshDir, home, depth + 1));
        }
      }
      out.add(new Line(name, number, kv[0], List.copyOf(args), included));
    }
    return out;
  }

  static String expandTilde(String path, String home) {
    if (path.equals("~")) return home;
    if (path.startsWith("~/")) return home + path.substring(1);
    return path;
  }

  /** Files matching a path whose components may hold {@code *}, {@code ?} and {@code [...]}, sorted like glob(3). */
  static List<Path> glob(Path pattern) throws IOException {
    List<Path> current = List.of(pattern.getRoot() == null ? Path.of("") : pattern.getRoot());
    for (Path part : pattern.getRoot() == null ? pattern : pattern.getRoot().relativize(pattern)) {
      String s = part.toString();
      List<Path> next = new ArrayList<>();
      for (Path dir : current) {
        if (!s.matches(".*[*?\\[].*")) {
          Path p = dir.resolve(s);
          if (Files.exists(p)) next.add(p);
          continue;
        }
        if (!Files.isDirectory(dir)) continue;
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + s);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path p : ds) {
            if (m.matches(p.getFileName()) && !p.getFileName().toString().startsWith(".")) next.add(p);
          }
        }
      }
      next.sort(null);
      current = next;
    }
    return current.stream().filter(Files::isRegularFile).toList();
  }

  private static String[] splitKeyValue(String line) {
    int i = 0;
    while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '=') i++;
    if (i == 0) return null;
    String key = line.substring(0, i);
    String rest = line.substring(i).strip();
    if (rest.startsWith("=")) rest = rest.substring(1).strip();
    return rest.isEmpty() ? null : new String[] {key, rest};
  }

  /** Splits arguments as OpenSSH does: whitespace-separated, "double" or 'single' quoted; a trailing # comment ends. */
  static List<String> tokens(String text, String where) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '#') break;
      StringBuilder token = new StringBuilder();
      char quote = 0;
      while (i < text.length()) {
        c = text.charAt(i);
        if (quote != 0) {
          if (c == quote) quote = 0;
          else token.append(c);
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '\\' && i + 1 < text.length()) {
          token.append(text.charAt(++i));
        } else if (Character.isWhitespace(c)) {
          break;
        } else {
          token.append(c);
        }
        i++;
      }
      if (quote != 0) {
        throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh config " + where + ": unterminated quote");
      }
      out.add(token.toString());
    }
    return out;
  }

  /** ssh_config pattern lists: a host matches when a pattern matches it and no {@code !pattern} does. */
  static boolean matches(List<String> patterns, String host) {
    boolean positive = false;
    for (String p : patterns) {
      if (p.startsWith("!")) {
        if (glob(p.substring(1), host)) return false;
      } else if (glob(p, host)) {
        positive = true;
      }
    }
    return positive;
  }

  /** ssh_config globbing: {@code *} any run of characters, {@code ?} one character; case-sensitive like OpenSSH. */
  static boolean glob(String pattern, String text) {
    return glob(pattern, 0, text, 0);
  }

  private static boolean glob(String p, int pi, String t, int ti) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        for (int k = ti; k <= t.length(); k++) {
          if (glob(p, pi + 1, t, k)) return true;
        }
        return false;
      }
      if (ti >= t.length() || (c != '?' && c != t.charAt(ti))) return false;
      pi++;
      ti++;
    }
    return ti == t.length();
  }
}
