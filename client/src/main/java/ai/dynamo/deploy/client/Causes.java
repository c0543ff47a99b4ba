package ai.dynamo.deploy.client;

import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A failure's cause chain said in one line, for messages that end in "...: <why>". Each failure's words are its
 * message, stripped, or its class's simple name when it has none (never a fully qualified library class name).
 * Suppressed failures are not part of the chain. Three wordings, for three needs:
 *
 * <ul>
 *   <li>{@link #firstMessage}: the outermost message that says something (a bounded read's failure);
 *   <li>{@link #withRoot}: the failure's message and its root cause's (a client library's "... failed.", which
 *       alone does not say why);
 *   <li>{@link #all}: every cause's words (settings errors, where the innermost names the file and the outer ones
 *       what it was for).
 * </ul>
 */
public final class Causes {
  private Causes() {}

  /** The chain, outermost first, each failure once: a chain that loops back ends before the repeat. */
  public static List<Throwable> chain(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) chain.add(t);
    return chain;
  }

  /**
   * The outermost message that says something (a wrapper without one is passed over); the innermost failure's class
   * name when none does.
   */
  public static String firstMessage(Throwable e) {
    List<Throwable> chain = chain(e);
    for (Throwable t : chain) {
      if (message(t) != null) return message(t);
    }
    return words(chain.get(chain.size() - 1));
  }

  /** The failure's words and, when the root cause says more, the root's: "... failed. (Connection refused)". */
  public static String withRoot(Throwable e) {
    List<Throwable> chain = chain(e);
    String top = words(e);
    String bottom = words(chain.get(chain.size() - 1));
    return chain.size() == 1 || top.contains(bottom) ? top : top + " (" + bottom + ")";
  }

  /**
   * Every cause's words, outermost first, joined with ": ", leaving out words already said. A file-system failure
   * keeps its class name here ("NoSuchFileException: certs/client.pem"), as its message is only the path; the
   * shorter wordings above keep the words their messages have always had.
   */
  public static String all(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t : chain(e)) {
      String words = t instanceof FileSystemException && message(t) != null
          ? t.getClass().getSimpleName() + ": " + message(t) : words(t);
      if (text.indexOf(words) < 0) text.append(text.length() == 0 ? "" : ": ").append(words);
    }
    return text.toString();
  }

  /** What one failure says: its message, else its class's simple name. */
  static String words(Throwable t) {
    String message = message(t);
    return message != null ? message : t.getClass().getSimpleName();
  }

  /** Its message, stripped, or null when it has none that says anything. */
  private static String message(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank() ? null : message.strip();
  }
}
