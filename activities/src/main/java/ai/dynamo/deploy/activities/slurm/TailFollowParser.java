package ai.dynamo.deploy.activities.slurm;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of {@code tail -F -v -n +1 FILE... 2>&1} line by line: {@code ==> FILE <==} headers, and tail's
 * {@code 'FILE' has appeared; following new file} (a file that appears later gets no header of its own when nothing
 * was printed in between), say which file the following lines come from; tail's other messages ({@code tail: ...}: a file that cannot be opened yet, has
 * appeared, was truncated) are skipped. Each status line is handed out once per file, also when a restarted tail
 * prints the file again from its first line (after a reconnect, or when the file was replaced): that is how a
 * follower restarted after a drop resumes after the last line it saw, without losing or repeating any.
 */
final class TailFollowParser {
  private static final Pattern HEADER = Pattern.compile("==> (.*) <==");
  /**
   * A file that appears (or is replaced) after tail started: its lines follow without a header when nothing else was
   * printed since, so the message itself says whose lines come next.
   */
  private static final Pattern FOLLOWING = Pattern.compile("tail: '?(.*?)'? has (?:appeared|been replaced);\\s+following new file");

  /** A new status line of a file. */
  record Event(String file, JobStatusLine line) {}

  private final Map<String, Set<String>> seen = new HashMap<>();
  private String current;

  /** Call when a new tail starts: which file comes next is unknown until its header. */
  void restart() {
    current = null;
  }

  /** The event a line of tail's output carries, or empty (a header, a message, a line already handed out). */
  Optional<Event> accept(String line) {
    Matcher h = HEADER.matcher(line);
    if (h.matches()) {
      current = h.group(1);
      return Optional.empty();
    }
    Matcher f = FOLLOWING.matcher(line);
    if (f.matches()) {
      current = f.group(1);
      return Optional.empty();
    }
    if (line.startsWith("tail: ") || line.isBlank() || current == null) return Optional.empty();
    Optional<JobStatusLine> parsed = JobStatusLine.parse(line);
    if (parsed.isEmpty()) return Optional.empty();
    if (!seen.computeIfAbsent(current, k -> new HashSet<>()).add(line.strip())) return Optional.empty();
    return Optional.of(new Event(current, parsed.get()));
  }
}
