package ai.dynamo.deploy.ir;

import java.util.Locale;

/** Derived names. Users keep the names they wrote; targets get safe names derived here, in one place. */
public final class Names {
  private Names() {}

  /**
   * A Kubernetes DNS-1123 label for a name as written: lower case, {@code _} and other characters outside
   * {@code [a-z0-9-]} become {@code -}, runs of {@code -} fold to one, leading and trailing {@code -} go.
   * {@code http_ingress} becomes {@code http-ingress}. The result may be empty or longer than 63
   * characters; the validator reports such names.
   */
  public static String dnsLabel(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (ok) {
        out.append(c);
      } else if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
        out.append('-');
      }
    }
    while (out.length() > 0 && out.charAt(out.length() - 1) == '-') {
      out.setLength(out.length() - 1);
    }
    return out.toString();
  }

  /** An image the design note writes as a stand-in, not a pullable reference. */
  public static boolean isPlaceholderImage(String image) {
    if (image == null) return true;
    String s = image.trim();
    return s.isEmpty() || s.equals("...") || (s.startsWith("<") && s.endsWith(">"));
  }
}
