package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of an OpenSSH client configuration ({@code ~/.ssh/config}) the Slurm target honours: {@code Host}
 * blocks with {@code HostName}, {@code Port}, {@code User} and {@code IdentityFile}. sshj has no config parser, so
 * this is a small one following ssh_config(5) for those keys:
 *
 * <ul>
 *   <li>{@code Host} takes patterns with {@code *} and {@code ?}; a pattern starting with {@code !} excludes.
 *   <li>For each key the first value found in a matching block wins; {@code IdentityFile} accumulates.
 *   <li>{@code key value} and {@code key=value}, keys case-insensitive, values may be double-quoted.
 *   <li>{@code IdentityFile} expands {@code ~}, {@code %d} (local home), {@code %u} (local user), {@code %h}
 *       (host name), {@code %r} (remote user) and {@code %%}.
 *   <li>{@code Match}, {@code Include} and every other key are ignored (a {@code Match} block's lines are skipped).
 * </ul>
 */
public final class SshConfigFile {

  /** What the configuration says about one host alias; null fields were not set. */
  public record Entry(String hostName, Integer port, String user, List<String> identityFiles) {}

  private record Block(List<String> patterns, List<String[]> options) {}

  private final List<Block> blocks;

  private SshConfigFile(List<Block> blocks) {
    this.blocks = blocks;
  }

  /** An empty configuration (no file). */
  public static SshConfigFile empty() {
    return new SshConfigFile(List.of());
  }

  /** Reads a file; a missing file is an empty configuration. */
  public static SshConfigFile read(Path file) throws IOException {
    if (file == null || !Files.isRegularFile(file)) return empty();
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  public static SshConfigFile parse(String text) {
    List<Block> blocks = new ArrayList<>();
    // Lines before the first Host apply to every host, as in OpenSSH.
    Block current = new Block(List.of("*"), new ArrayList<>());
    blocks.add(current);
    boolean inMatch = false;
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] kv = splitKeyValue(line);
      if (kv == null) continue;
      String key = kv[0].toLowerCase(Locale.ROOT);
      if (key.equals("host")) {
        current = new Block(List.of(kv[1].split("\\s+")), new ArrayList<>());
        blocks.add(current);
        inMatch = false;
      } else if (key.equals("match")) {
        inMatch = true;
      } else if (!inMatch) {
        current.options().add(new String[] {key, unquote(kv[1])});
      }
    }
    return new SshConfigFile(blocks);
  }

  /** The settings for {@code alias}, from every block whose patterns match it, first value winning. */
  public Entry lookup(String alias) {
    String hostName = null;
    Integer port = null;
    String user = null;
    List<String> identities = new ArrayList<>();
    for (Block b : blocks) {
      if (!matches(b.patterns(), alias)) continue;
      for (String[] o : b.options()) {
        switch (o[0]) {
          case "hostname" -> hostName = hostName != null ? hostName : o[1];
          case "user" -> user = user != null ? user : o[1];
          case "port" -> {
            if (port == null) {
              try {
                port = Integer.valueOf(o[1]);
              } catch (NumberFormatException e) {
                throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
                    "ssh config: Port \"" + o[1] + "\" for host " + alias + " is not a number");
              }
            }
          }
          case "identityfile" -> identities.add(o[1]);
          default -> { }
        }
      }
    }
    return new Entry(hostName, port, user, List.copyOf(identities));
  }

  /** Expands the tokens ssh_config allows in IdentityFile. */
  static String expandPath(String path, String localHome, String localUser, String host, String remoteUser) {
    String p = path;
    if (p.equals("~")) p = localHome;
    else if (p.startsWith("~/")) p = localHome + p.substring(1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c != '%' || i + 1 >= p.length()) {
        out.append(c);
        continue;
      }
      char t = p.charAt(++i);
      switch (t) {
        case 'd' -> out.append(localHome);
        case 'u' -> out.append(localUser);
        case 'h' -> out.append(host);
        case 'r' -> out.append(remoteUser);
        case '%' -> out.append('%');
        default -> out.append('%').append(t);
      }
    }
    return out.toString();
  }

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

  /** ssh_config globbing: {@code *} any run of characters, {@code ?} one character, case-insensitive. */
  static boolean glob(String pattern, String text) {
    return glob(pattern.toLowerCase(Locale.ROOT), 0, text.toLowerCase(Locale.ROOT), 0);
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

  private static String[] splitKeyValue(String line) {
    int i = 0;
    while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '=') i++;
    if (i == 0 || i >= line.length()) return null;
    String key = line.substring(0, i);
    String rest = line.substring(i).strip();
    if (rest.startsWith("=")) rest = rest.substring(1).strip();
    return rest.isEmpty() ? null : new String[] {key, rest};
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
  }
}
