package ai.dynamo.deploy.activities.slurm;

/**
 * The login node as the user wrote it: {@code [user@]host[:port]}, where host may be an {@code ~/.ssh/config}
 * alias, a name, an IPv4 address or a bracketed IPv6 address ({@code [::1]:2222}).
 *
 * @param user the user, or null when not written
 * @param host the host or alias (brackets removed)
 * @param port the port, or null when not written
 */
public record SshHostSpec(String user, String host, Integer port) {

  /** @throws SlurmError of kind INVALID_SETTING naming what is wrong */
  public static SshHostSpec parse(String spec) {
    if (spec == null || spec.isBlank()) throw invalid(spec, "it is empty");
    String s = spec.strip();
    String user = null;
    int at = s.lastIndexOf('@');
    if (at >= 0) {
      user = s.substring(0, at);
      s = s.substring(at + 1);
      if (user.isEmpty()) throw invalid(spec, "the user before '@' is empty");
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
      if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '\'' || c == '"') {
        throw invalid(spec, "the host contains '" + c + "'");
      }
    }
    Integer port = null;
    if (portText != null) {
      try {
        port = Integer.valueOf(portText);
      } catch (NumberFormatException e) {
        throw invalid(spec, "the port \"" + portText + "\" is not a number");
      }
      if (port < 1 || port > 65535) throw invalid(spec, "the port must be 1-65535");
    }
    return new SshHostSpec(user, host, port);
  }

  private static SlurmError invalid(String spec, String why) {
    return new SlurmError(SlurmError.Kind.INVALID_SETTING,
        "ssh host \"" + spec + "\" is not [user@]host[:port]: " + why);
  }
}
