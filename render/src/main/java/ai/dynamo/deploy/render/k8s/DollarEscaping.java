package ai.dynamo.deploy.render.k8s;

/**
 * Kubernetes expands {@code $(VAR)} in a container's command, args and env values, and reads {@code $$} as an
 * escaped {@code $}. A user-supplied value must arrive in the process exactly as written, so every {@code $} that
 * Kubernetes would read as the start of {@code $(} or {@code $$} is doubled. Other {@code $} (as in {@code $HOME}
 * or a trailing {@code $}) are left alone because Kubernetes passes them through unchanged.
 */
final class DollarEscaping {
  private DollarEscaping() {}

  static String escape(String value) {
    if (value.indexOf('$') < 0) return value;
    StringBuilder out = new StringBuilder(value.length() + 4);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(c);
      if (c == '$' && i + 1 < value.length()) {
        char next = value.charAt(i + 1);
        if (next == '(' || next == '$') out.append('$');
      }
    }
    return out.toString();
  }
}
