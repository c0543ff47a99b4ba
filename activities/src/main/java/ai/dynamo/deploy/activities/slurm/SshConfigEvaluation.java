package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.slurm.SshConfigFile.Line;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One lookup of a host in a parsed {@link SshConfigFile}, following OpenSSH's readconf: lines before the first
 * {@code Host} apply to every host; {@code Host} patterns match the host as typed; {@code Match host} sees the
 * {@code HostName} set so far; the first value of a key wins; a {@code Match final} anywhere asks for a second,
 * final pass in which {@code final} and {@code canonical} match.
 */
final class SshConfigEvaluation {
  /** The keys the deployer honours (docs/slurm-target.md, "Reaching the cluster"). */
  static final Set<String> SUPPORTED = Set.of("hostname", "port", "user", "identityfile", "identitiesonly",
      "identityagent", "proxyjump", "userknownhostsfile", "stricthostkeychecking", "serveraliveinterval",
      "serveralivecountmax", "connecttimeout");

  private final String originalHost;
  private final String localUser;
  private final Map<String, List<String>> values = new HashMap<>();
  private final Map<String, String> origins = new HashMap<>();
  private final List<String> identityFiles = new ArrayList<>();
  private final LinkedHashSet<String> warnings = new LinkedHashSet<>();
  private boolean finalPass;
  private boolean wantFinalPass;

  SshConfigEvaluation(String host, String localUser) {
    this.originalHost = host; // patterns match it as typed (case-sensitively, as OpenSSH does)
    this.localUser = localUser;
  }

  SshHostConfig run(List<Line> lines) {
    walk(lines, true, false);
    if (wantFinalPass) {
      finalPass = true;
      walk(lines, true, false);
    }
    List<String> jump = values.get("proxyjump");
    List<String> known = values.getOrDefault("userknownhostsfile", List.of());
    return new SshHostConfig(originalHost, hostName().toLowerCase(Locale.ROOT), integer("port", 1, 65535), first("user"), identityFiles,
        yesNo("identitiesonly"), first("identityagent"),
        jump == null || jump.get(0).equalsIgnoreCase("none") ? null : normalJumps(jump.get(0)),
        known,
        lower("stricthostkeychecking"), seconds("serveraliveinterval"), integer("serveralivecountmax", 0, 1 << 20),
        connectTimeout(), origins, new ArrayList<>(warnings));
  }

  private void walk(List<Line> lines, boolean active, boolean neverMatch) {
    for (Line l : lines) {
      switch (l.key()) {
        case "host" -> active = !neverMatch && SshConfigFile.matches(l.args(), originalHost);
        case "match" -> active = match(l) && !neverMatch;
        case "include" -> walk(l.included(), active, neverMatch || !active); // the block's state comes back after
        default -> {
          if (active) apply(l);
        }
      }
    }
  }

  private void apply(Line l) {
    String key = l.key();
    if (!SUPPORTED.contains(key)) {
      if (!finalPass) {
        warnings.add(l.where() + ": " + l.spelled() + (key.equals("proxycommand")
            ? " is not supported (use ProxyJump); the deployer connects without it"
            : " is not supported by the deployer and is ignored"));
      }
      return;
    }
    if (key.equals("identityfile")) {
      if (!identityFiles.contains(l.args().get(0))) identityFiles.add(l.args().get(0)); // as OpenSSH: no duplicates
      origins.putIfAbsent(key, l.where());
      return;
    }
    if (!values.containsKey(key)) {
      values.put(key, l.args());
      origins.put(key, l.where());
    }
  }

  /** {@code Match} criteria, all of which must hold; {@code !criterion} negates. */
  private boolean match(Line l) {
    List<String> a = l.args();
    boolean result = true;
    for (int i = 0; i < a.size(); i++) {
      String word = a.get(i).toLowerCase(Locale.ROOT);
      boolean negate = word.startsWith("!");
      if (negate) word = word.substring(1);
      boolean hit;
      switch (word) {
        case "all" -> hit = true;
        case "final" -> {
          wantFinalPass = true;
          hit = finalPass;
        }
        case "canonical" -> hit = finalPass;
        case "host", "originalhost", "user", "localuser", "exec" -> {
          if (i + 1 >= a.size()) throw invalid(l, "Match " + word + " needs an argument");
          String arg = a.get(++i);
          List<String> patterns = Arrays.asList(arg.split(","));
          hit = switch (word) {
            case "host" -> SshConfigFile.matches(patterns, hostName());
            case "originalhost" -> SshConfigFile.matches(patterns, originalHost);
            case "user" -> SshConfigFile.matches(patterns, first("user") != null ? first("user") : localUser);
            case "localuser" -> SshConfigFile.matches(patterns, localUser);
            default -> {
              warnings.add(l.where() + ": Match exec is not evaluated by the deployer; the block is skipped");
              yield negate; // never applies, negated or not
            }
          };
        }
        default -> throw invalid(l, "unsupported Match criterion \"" + a.get(i) + "\"");
      }
      if (hit == negate) result = false;
    }
    return result;
  }

  private String hostName() {
    String h = first("hostname");
    if (h == null) return originalHost;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c != '%' || i + 1 >= h.length()) {
        out.append(c);
        continue;
      }
      char t = h.charAt(++i);
      if (t == 'h') out.append(originalHost);
      else if (t == '%') out.append('%');
      else throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "ssh config " + origins.get("hostname") + ": HostName allows only %h and %%, not %" + t);
    }
    return out.toString();
  }

  /** Each hop as {@code [user@]host[:port]} (an {@code ssh://} URI is rewritten), as {@code ssh -G} prints it. */
  private String normalJumps(String value) {
    List<String> hops = new ArrayList<>();
    for (String hop : value.split(",")) {
      SshHostSpec h;
      try {
        h = SshHostSpec.parse(hop);
      } catch (SlurmError e) {
        throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
            "ssh config " + origins.get("proxyjump") + ": ProxyJump: " + e.getMessage());
      }
      String host = h.host().contains(":") ? "[" + h.host() + "]" : h.host();
      hops.add((h.user() == null ? "" : h.user() + "@") + host + (h.port() == null ? "" : ":" + h.port()));
    }
    return String.join(",", hops);
  }

  private String first(String key) {
    List<String> v = values.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private String lower(String key) {
    String v = first(key);
    return v == null ? null : v.toLowerCase(Locale.ROOT);
  }

  private boolean yesNo(String key) {
    String v = lower(key);
    if (v == null || v.equals("no")) return false;
    if (v.equals("yes")) return true;
    throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
        "ssh config " + origins.get(key) + ": " + key + " must be yes or no, not \"" + first(key) + "\"");
  }

  private Integer integer(String key, int min, int max) {
    String v = first(key);
    if (v == null) return null;
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh config " + origins.get(key) + ": " + key + " \""
        + v + "\" is not a number from " + min + " to " + max);
  }

  private Integer connectTimeout() {
    String v = lower("connecttimeout");
    return v == null || v.equals("none") ? null : seconds("connecttimeout");
  }

  /** OpenSSH time formats: {@code 30}, {@code 30s}, {@code 2m}, {@code 1h30m}. */
  private Integer seconds(String key) {
    String v = lower(key);
    if (v == null) return null;
    if (!v.matches("(\\d{1,9}[smhdw]?)+")) {
      throw new SlurmError(SlurmError.Kind.INVALID_SETTING,
          "ssh config " + origins.get(key) + ": " + key + " \"" + first(key) + "\" is not a time (e.g. 30, 30s, 2m)");
    }
    long total = 0;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhdw]?)").matcher(v);
    while (m.find()) {
      total += Long.parseLong(m.group(1)) * switch (m.group(2)) {
        case "m" -> 60;
        case "h" -> 3600;
        case "d" -> 86400;
        case "w" -> 604800;
        default -> 1;
      };
    }
    return (int) Math.min(total, Integer.MAX_VALUE);
  }

  private static SlurmError invalid(Line l, String why) {
    return new SlurmError(SlurmError.Kind.INVALID_SETTING, "ssh config " + l.where() + ": " + why);
  }
}
