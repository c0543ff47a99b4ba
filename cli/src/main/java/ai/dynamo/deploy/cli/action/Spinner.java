package ai.dynamo.deploy.cli.action;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * A spinner on stderr while something connects, only on an interactive terminal (in CI logs and pipes it stays
 * silent); the line is cleared when the work is done, whether it succeeded or not.
 */
public final class Spinner {
  private static final String FRAMES = "|/-\\";
  private static final long FRAME_MILLIS = 120;

  private Spinner() {}

  /** Runs {@code work}, spinning with {@code text} meanwhile when {@code interactive}. */
  public static <T> T around(PrintWriter err, boolean interactive, String text, Supplier<T> work) {
    if (!interactive) return work.get();
    Thread spin = new Thread(() -> {
      int i = 0;
      try {
        while (!Thread.currentThread().isInterrupted()) {
          synchronized (err) {
            err.print("\r" + FRAMES.charAt(i++ % FRAMES.length()) + " " + text);
            err.flush();
          }
          Thread.sleep(FRAME_MILLIS);
        }
      } catch (InterruptedException done) {
        // the work ended
      }
    }, "dynamo-spinner");
    spin.setDaemon(true);
    spin.start();
    try {
      return work.get();
    } finally {
      spin.interrupt();
      try {
        spin.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (err) {
        err.print("\r\u001b[K");
        err.flush();
      }
    }
  }
}
