package ai.dynamo.deploy.workflows;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, both ways, in one place: {@link #parse} reads what users type ({@code 90m},
 * {@code 1h30m}, {@code 45s}, {@code 2h}, or ISO-8601 {@code PT1H}); {@link #human} and {@link #asTyped} print them.
 * Pure, so the workflow may use it.
 */
public final class Durations {
  private Durations() {}

  private static final Pattern PART = Pattern.compile("(\\d+)(h|m|s)");

  /** {@code 12h}, {@code 2h30m}, {@code 45s}: every unit that is not zero. */
  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s == 0) return d.toMillis() + "ms";
    StringBuilder b = new StringBuilder();
    if (s >= 3600) b.append(s / 3600).append('h');
    if (s % 3600 >= 60) b.append(s % 3600 / 60).append('m');
    if (s % 60 > 0) b.append(s % 60).append('s');
    return b.toString();
  }

  /**
   * One unit, as a timeout is usually typed ({@code 90m}, {@code 2h}, {@code 45s}), rounded up to the second: how a
   * message repeats the user's {@code --timeout}.
   */
  public static String asTyped(Duration d) {
    if (d.toMillisPart() > 0) d = d.plusMillis(1000 - d.toMillisPart());
    if (d.toHours() > 0 && d.toMinutesPart() == 0) return d.toHours() + "h";
    if (d.toMinutes() > 0 && d.toSecondsPart() == 0) return d.toMinutes() + "m";
    return d.toSeconds() + "s";
  }

  /**
   * Reads a positive duration as users type it.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
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
