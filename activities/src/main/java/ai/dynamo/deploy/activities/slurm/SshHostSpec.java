package ai.dynamo.deploy.activities.slurm;

/**
 * A destination as OpenSSH users write it (for {@code --ssh-host} and each {@code ProxyJump} hop):
 * {@code [user@]host[:port]}, {@code ssh://[user@]host[:port]}, a bracketed IPv6 address ({@code [::1]:2222}), or
 * an {@code ~/.ssh/config} alias.
 *
 * @param user the user, or null when not written
 * @param host the host or alias (brackets removed)
 * @param port the port, or null when not written
 */
public record SshHostSpec(String user, String host, Integer port) {

  /** The forms, for messages. */
  public static final String FORMS =
      "[user@]host[:port], ssh://[user@]host[:port], [user@][IPv6]:port (e.g. [::1]:2222) or an ~/.ssh/config alias";

  /** @throws SlurmError of kind INVALID_SETTING naming what is wrong and the accepted forms */
  public static SshHostSpec parse(String spec) {
    if (spec == null || spec.isBlank()) throw invalid(spec, "it is empty");
    String s = spec.strip();
    if (s.regionMatches(true, 0, "ssh://", 0, 6)) {
      s = s.substring(6);
      if (s.endsWith("/")) s = s.substring(0, s.length() - 1);
      if (s.contains("/") || s.contains("?") || s.contains("#")) throw invalid(spec, "an ssh:// URI has no path");
    } else if (s.contains("://")) {
      throw invalid(spec, "only ssh:// URIs are destinations");
    }
    String user = null;
    int at = s.lastIndexOf('@');
    if (at >= 0) {
      user = s.substring(0, at);
      s = s.substring(at + 1);
      if (user.isEmpty()) throw invalid(spec, "the user before '@' is empty");
      for (char c : user.toCharArray()) {
        if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == ':' || c == '@') {
          throw invalid(spec, "the user contains '" + c + "'");
        }
      }
    }
    String host;
    String portText = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) throw invalid(spec, "'[' without ']'");
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) throw invalid(spec, "unexpected text after ']'");
        portText = rest.substring(1);
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) throw invalid(spec, "write an IPv6 address in brackets");
      host = colon >= 0 ? s.substring(0, colon) : s;
      portText = colon >= 0 ? s.substring(colon + 1) : null;
    }
    if (host.isEmpty()) throw invalid(spec, "the host is empty");
    for (char c : host.toCharArray()) {
      if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '\'' || c == '"'
          || c == '[' || c == ']' || c == ',') {
        throw invalid(spec, "the host contains '" + c + "'");
      }
    }
    if (host.startsWith("-")) throw invalid(spec, "the host starts with '-'");
    Integer port = null;
    if (portText != null) {
      if (!portText.matches("[0-9]{1,5}")) throw invalid(spec, "the port \"" + portText + "\" is not a number");
      port = Integer.valueOf(portText);
      if (port < 1 || port > 65535) throw invalid(spec, "the port must be 1-65535");
    }
    return new SshHostSpec(user, host, port);
  }

  private static SlurmError invalid(String spec, String why) {
    return new SlurmError(SlurmError.Kind.INVALID_SETTING,
        "ssh host \"" + spec + "\" is not a destination (" + why + "); write " + FORMS);
  }
}
