package ai.dynamo.deploy.cli.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client side of one request to the daemon: sends it, copies standard output and error frames to their
 * streams, and returns how it ended. Loads nothing of Temporal, gRPC or picocli: this is what a routed command's
 * JVM runs instead of them.
 */
public final class DaemonClient {
  /** How long a daemon that accepted the connection may take to start answering; then the command runs here. */
  static final Duration FIRST_ANSWER = Duration.ofSeconds(3);
  /**
   * How long a client interrupted by Ctrl-C (or SIGTERM) waits for the command's last words (a follow's "Detached;
   * ..."), which the daemon sends at once; then this JVM ends as the signal says (exit code 130 on Ctrl-C).
   */
  static final Duration LAST_WORDS = Duration.ofSeconds(2);
  /** Larger than any frame a daemon sends (one flush of a command's output). */
  private static final int MAX_FRAME = 64 << 20;

  /**
   * How a request ended.
   *
   * @param exitCode the command's exit code, when it ran in the daemon
   * @param ranThere whether it ran there (else nothing was written and the caller runs it itself)
   * @param why why not, for the daemon status and tests
   * @param handedBack whether the daemon, which stays, gave the command back to run here (it would embed a service)
   */
  public record Outcome(int exitCode, boolean ranThere, String why, boolean handedBack) {
    public Outcome(int exitCode, boolean ranThere, String why) {
      this(exitCode, ranThere, why, false);
    }

    static Outcome notThere(String why) {
      return new Outcome(-1, false, why);
    }
  }

  private DaemonClient() {}

  /**
   * Sends {@code request} to the daemon at {@code socket}; its output goes to {@code out} and {@code err}.
   * A daemon that is not there, refuses (another build), or does not start answering within
   * {@link #FIRST_ANSWER} leaves both streams untouched. One that vanishes after writing ends the command with
   * exit code 1 and a line saying so: running it again here would print its output twice.
   */
  static Outcome send(Path socket, Wire.Request request, OutputStream out, OutputStream err) {
    SocketChannel channel;
    try {
      channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException | UnsupportedOperationException e) {
      return Outcome.notThere("no daemon at " + socket);
    }
    AtomicBoolean answered = new AtomicBoolean();
    Thread bound = boundFirstAnswer(channel, answered);
    CountDownLatch ended = new CountDownLatch(1);
    Thread lastWords = onSignal(channel, ended);
    boolean wrote = false;
    boolean outOpen = true;
    boolean errOpen = true;
    try (channel) {
      DataOutputStream toDaemon = new DataOutputStream(new java.io.BufferedOutputStream(ChannelStreams.out(channel)));
      Wire.write(toDaemon, request);
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(ChannelStreams.in(channel)));
      while (true) {
        byte kind = in.readByte();
        answered.set(true);
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) throw new IOException("malformed frame");
        byte[] payload = in.readNBytes(length);
        switch (kind) {
          case Wire.OUT -> { wrote = true; outOpen = relay(out, outOpen, payload); }
          case Wire.ERR -> { wrote = true; errOpen = relay(err, errOpen, payload); }
          case Wire.EXIT -> { return new Outcome(java.nio.ByteBuffer.wrap(payload).getInt(), true, null); }
          case Wire.REFUSED -> { return Outcome.notThere(new String(payload, java.nio.charset.StandardCharsets.UTF_8)); }
          case Wire.OWN_PROCESS -> {
            return new Outcome(-1, false, new String(payload, java.nio.charset.StandardCharsets.UTF_8), true);
          }
          default -> { /* accepted, or a frame of a later version: nothing to show */ }
        }
      }
    } catch (IOException e) {
      if (!wrote) return Outcome.notThere("the daemon did not answer (" + e.getClass().getSimpleName() + ")");
      try {
        err.write(("dynamo: the background client process (dynamo daemon) ended during this command; run it again"
            + " (DYNAMO_DAEMON=off runs it without)\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        err.flush();
      } catch (IOException ignored) {
        // nowhere left to say it
      }
      return new Outcome(1, true, "ended during the command");
    } finally {
      bound.interrupt();
      ended.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(lastWords);
      } catch (IllegalStateException shuttingDown) {
        // interrupted: the hook has what it waited for
      }
    }
  }

  /**
   * On Ctrl-C or SIGTERM this JVM runs its shutdown hooks and ends; this one first tells the daemon (the end of the
   * request stream: the daemon runs the command's interrupt hooks, as its own JVM would, and ends it) and waits at
   * most {@link #LAST_WORDS} while this thread relays what it prints last. The exit code stays the signal's.
   */
  private static Thread onSignal(SocketChannel channel, CountDownLatch ended) {
    Thread hook = new Thread(() -> {
      if (ended.getCount() == 0) return;
      try {
        channel.shutdownOutput();
        ended.await(LAST_WORDS.toMillis(), TimeUnit.MILLISECONDS);
      } catch (IOException | InterruptedException gone) {
        // the connection is gone already: nothing more will come
      }
    }, "dynamo-daemon-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * Writes to one of this process's streams; one that fails (a closed pipe: {@code | head}) takes nothing more, and
   * the command goes on to its exit code, as a command in its own process does (its PrintWriter drops the error).
   */
  private static boolean relay(OutputStream to, boolean open, byte[] payload) {
    if (!open) return false;
    try {
      to.write(payload);
      to.flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  // A daemon that accepted the connection but is stuck (stopped, swapping) must not hang the command.
  private static Thread boundFirstAnswer(SocketChannel channel, AtomicBoolean answered) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(FIRST_ANSWER.toMillis());
        if (!answered.get()) channel.close();
      } catch (InterruptedException | IOException done) {
        // answered, or closed anyway
      }
    }, "dynamo-daemon-first-answer");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
