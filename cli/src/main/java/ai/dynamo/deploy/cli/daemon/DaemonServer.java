package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.cli.action.Invocation;
import ai.dynamo.deploy.cli.action.RunInCallersProcess;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's socket server: one thread per request, each with its own output and error writers, so that
 * requests run side by side without mixing their output. A client that goes away (Ctrl-C) interrupts its request.
 * The server stops when a client of another build connects (or one the runner gives way to), when its jar changes
 * on disk, when asked, or after {@code idle} without requests. It never logs a request's arguments or environment: they may hold secrets.
 */
public final class DaemonServer implements AutoCloseable {
  /** Runs one request's command line and returns its exit code. */
  public interface Runner {
    /**
     * @param host the request as the command's process: interrupted when the client is ({@link RequestThread})
     * @throws RunInCallersProcess before anything is written: the client runs the command itself, the daemon stays
     */
    int run(Wire.Request request, PrintWriter out, PrintWriter err, Invocation.Host host);

    /**
     * Why this daemon must not run the request and should give way to one started from the caller's environment
     * (the client runs the command itself, then starts a daemon), or null when it may run it.
     */
    default String givesWayTo(Wire.Request request) {
      return null;
    }
  }

  /** How long a request's last output may take to reach a client that does not read it. */
  private static final java.time.Duration DRAIN_WRITES = java.time.Duration.ofSeconds(30);

  private final Path socket;
  private final JarIdentity jar;
  private final Duration idle;
  private final Runner runner;
  private final PrintWriter log;
  private final ServerSocketChannel server;
  private final ScheduledExecutorService checks;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong lastRequestNanos = new AtomicLong(System.nanoTime());
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile String stopReason;

  private DaemonServer(Path socket, JarIdentity jar, Duration idle, Runner runner, PrintWriter log)
      throws IOException {
    this.socket = socket;
    this.jar = jar;
    this.idle = idle;
    this.runner = runner;
    this.log = log;
    // The caller holds the daemon's lock: a socket file left here is a dead daemon's.
    Files.deleteIfExists(socket);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.checks = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "dynamo-daemon-checks"));
  }

  /**
   * Listens on {@code socket} (its directory checked by {@link SocketDirectory}) and checks every
   * {@code checkEvery} whether it is idle or its jar changed.
   */
  public static DaemonServer start(Path socket, JarIdentity jar, Duration idle, Duration checkEvery, Runner runner,
      PrintWriter log) throws IOException {
    DaemonServer d = new DaemonServer(socket, jar, idle, runner, log);
    d.checks.scheduleWithFixedDelay(d::check, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    daemonThread(d::acceptLoop, "dynamo-daemon-accept").start();
    log.println("dynamo daemon: pid " + ProcessHandle.current().pid() + " serving " + jar.path() + " on " + socket
        + " (exits after " + idle.toSeconds() + " s idle)");
    return d;
  }

  /** Waits until the server stops; returns why. */
  public String awaitStop() throws InterruptedException {
    stopped.await();
    return stopReason;
  }

  /** Waits at most {@code bound} for the requests still running to end (after a stop). */
  public boolean awaitRequests(Duration bound) throws InterruptedException {
    long end = System.nanoTime() + bound.toNanos();
    while (active.get() > 0 && System.nanoTime() < end) Thread.sleep(20);
    return active.get() == 0;
  }

  public boolean isStopped() {
    return stopped.getCount() == 0;
  }

  @Override
  public void close() {
    stop("closed");
  }

  /** Stops listening (requests already running finish) and removes the socket. */
  void stop(String reason) {
    synchronized (stopped) {
      if (isStopped()) return;
      stopReason = reason;
      try {
        server.close();
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        log.println("dynamo daemon: closing " + socket + ": " + e.getMessage());
      }
      checks.shutdownNow();
      log.println("dynamo daemon: stopping: " + reason);
      stopped.countDown();
    }
  }

  private void check() {
    if (!jar.equals(jar.now())) stop("its jar " + jar.path() + " changed on disk");
    else if (active.get() == 0 && System.nanoTime() - lastRequestNanos.get() >= idle.toNanos()) {
      stop("idle for " + idle.toSeconds() + " s");
    }
  }

  private void acceptLoop() {
    while (!isStopped()) {
      try {
        SocketChannel client = server.accept();
        active.incrementAndGet();
        lastRequestNanos.set(System.nanoTime());
        daemonThread(() -> serve(client), "dynamo-request-" + served.incrementAndGet()).start();
      } catch (IOException e) {
        if (!isStopped()) stop("cannot accept connections: " + e.getMessage());
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      InputStream in = new BufferedInputStream(ChannelStreams.in(client));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ChannelStreams.out(client)));
      Wire.Request request = Wire.read(new DataInputStream(in));
      switch (request.kind()) {
        case Wire.STATUS -> answer(out, status());
        case Wire.STOP -> {
          // Before answering: once the client has the answer, no new command reaches this daemon.
          stop("asked to stop");
          answer(out, "dynamo daemon (pid " + ProcessHandle.current().pid() + ") stops\n");
        }
        default -> run(request, in, out);
      }
    } catch (IOException e) {
      // the client went away or spoke nonsense: nothing to answer
    } finally {
      lastRequestNanos.set(System.nanoTime());
      active.decrementAndGet();
    }
  }

  private void run(Wire.Request request, InputStream in, DataOutputStream out) throws IOException {
    if (!request.jar().equals(jar.encoded()) || !jar.equals(jar.now())) {
      // The jar on disk is not the one loaded here: the client runs the command itself, and this daemon ends.
      Wire.text(out, Wire.REFUSED, "the daemon runs another build of dynamo");
      stop("a client of another build connected");
      return;
    }
    String givesWay = runner.givesWayTo(request);
    if (givesWay != null) {
      Wire.text(out, Wire.REFUSED, givesWay);
      stop(givesWay);
      return;
    }
    Wire.frame(out, Wire.ACCEPTED, new byte[0], 0, 0);
    RequestThread watched = RequestThread.watch(Thread.currentThread(), in);
    int code;
    String handedBack = null;
    String writerName = Thread.currentThread().getName() + "-write";
    ExecutorService writer = Executors.newSingleThreadExecutor(r -> daemonThread(r, writerName));
    boolean interrupted;
    try (FrameWriter stdout = new FrameWriter(out, writer, Wire.OUT);
        FrameWriter stderr = new FrameWriter(out, writer, Wire.ERR)) {
      watched.endsWith(exitCode -> {
        stdout.mute();
        stderr.mute();
        writer.submit(() -> {
          Wire.exit(out, exitCode);
          return null;
        });
      });
      PrintWriter o = stdout.printWriter();
      PrintWriter e = stderr.printWriter();
      try {
        code = runner.run(request, o, e, watched);
      } catch (RunInCallersProcess handBack) {
        // Decided before the command wrote anything (see TemporalOptions.handBackIfEmbedding); a service on the
        // local port that went away after that check leaves the command nothing to do but say so.
        if (!stdout.sent() && !stderr.sent()) {
          stdout.mute();
          stderr.mute();
          handedBack = handBack.getMessage();
        } else {
          e.println("error: " + handBack.getMessage() + "; run the command again");
        }
        code = ai.dynamo.deploy.cli.ExitCodes.UNREACHABLE;
      } catch (RuntimeException | Error unexpected) {
        // Main.run handles every error of a command: this is a daemon bug; the log gets the type, never the request.
        log.println("dynamo daemon: a request failed: " + unexpected.getClass().getName());
        e.println("error: the dynamo daemon failed to run this command (" + unexpected.getClass().getSimpleName()
            + "); DYNAMO_DAEMON=off runs it without the daemon");
        code = 1;
      }
      o.flush();
      e.flush();
    } finally {
      interrupted = watched.finished(DRAIN_WRITES);
      writer.shutdown(); // after the frames already handed to it
    }
    try {
      if (!writer.awaitTermination(DRAIN_WRITES.toMillis(), TimeUnit.MILLISECONDS) || interrupted) return;
      if (handedBack != null) Wire.text(out, Wire.OWN_PROCESS, handedBack);
      else Wire.exit(out, code);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(DataOutputStream out, String text) throws IOException {
    Wire.text(out, Wire.OUT, text);
    Wire.exit(out, 0);
  }

  private String status() {
    return "dynamo daemon: pid " + ProcessHandle.current().pid() + "\n  jar     " + jar.path() + "\n  socket  " + socket
        + "\n  idle    exits after " + idle.toSeconds() + " s without requests\n  served  " + served.get()
        + " connections, " + (active.get() - 1) + " other running now\n";
  }

  static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
