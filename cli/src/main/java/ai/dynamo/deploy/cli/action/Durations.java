package ai.dynamo.deploy.cli.action;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users type them: {@code 90m}, {@code 1h30m}, {@code 45s}, {@code 2h}, or ISO-8601 {@code PT1H}. */
public final class Durations {
  private Durations() {}

  private static final Pattern PART = Pattern.compile("(\\d+)(h|m|s)");

  /** @throws IllegalArgumentException naming the accepted forms */
  public static Duration parse(String text) {
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        return positive(Duration.parse(t), text);
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
      end = m.end();
    }
    if (end == 0 || end != t.length()) throw invalid(text);
    return positive(total, text);
  }

  private static Duration positive(Duration d, String text) {
    if (d.isZero() || d.isNegative()) throw invalid(text);
    return d;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid duration \"" + text + "\" (use e.g. 90m, 1h30m, 45s or PT1H)");
  }
}
