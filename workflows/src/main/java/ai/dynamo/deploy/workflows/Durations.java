package ai.dynamo.deploy.workflows;

import java.time.Duration;

/** Durations as people write them: {@code 90m}, {@code 12h}, {@code 2h30m}, {@code 45s}. */
public final class Durations {
  private Durations() {}

  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s == 0) return d.toMillis() + "ms";
    StringBuilder b = new StringBuilder();
    if (s >= 3600) b.append(s / 3600).append('h');
    if (s % 3600 >= 60) b.append(s % 3600 / 60).append('m');
    if (s % 60 > 0) b.append(s % 60).append('s');
    return b.toString();
  }
}
