package ai.dynamo.deploy.activities.slurm;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a job's status file, as the job's script writes it (docs/slurm.md: status file):
 * {@code <UTC time> <job id> <state>[ <detail>]}, e.g. {@code 2026-11-29T03:20:01.123Z 42 ready}.
 */
public record JobStatusLine(Instant time, String jobId, String state, String detail) {
  private static final Pattern LINE =
      Pattern.compile("(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z) ([0-9]+(?:_[0-9]+)?) ([a-z-]+)(?: (.*))?");

  /** The line, or empty when it is not a status line (a partial line, something else in the file). */
  public static Optional<JobStatusLine> parse(String line) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) return Optional.empty();
    try {
      return Optional.of(new JobStatusLine(Instant.parse(m.group(1)), m.group(2), m.group(3),
          m.group(4) == null ? "" : m.group(4)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
