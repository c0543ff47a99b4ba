package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.cli.action.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches a request's connection while its command runs, and is the command's {@link Invocation.Host}: the client
 * sends nothing after its request, so the end of the stream means it was interrupted (Ctrl-C, SIGTERM: its shutdown
 * hook closes its side and waits a moment for the last words) or killed. Then, as a JVM does on a signal, the
 * command's interrupt hooks run (a follow's "Detached; ..." line), its output stops there, the exit code is
 * {@link #INTERRUPTED_EXIT} (the JVM's on SIGINT), and the command's thread is interrupted, which cancels its
 * Temporal call.
 */
final class RequestThread implements Invocation.Host {
  /** A JVM ended by SIGINT exits 128 + 2: what a command in its own process returns to the shell on Ctrl-C. */
  static final int INTERRUPTED_EXIT = 130;

  /** What the daemon does with a request whose client went away. */
  interface Ending {
    /** Drops the command's further output and sends {@code exitCode} as the request's last frame. */
    void endWith(int exitCode);
  }

  private final Thread command;
  private final List<Runnable> onInterrupt = new ArrayList<>();
  private final CountDownLatch detached = new CountDownLatch(1);
  private Ending ending;
  private boolean finished;
  private boolean interrupted;

  private RequestThread(Thread command) {
    this.command = command;
  }

  static RequestThread watch(Thread command, InputStream fromClient) {
    RequestThread r = new RequestThread(command);
    DaemonServer.daemonThread(() -> {
      try {
        while (fromClient.read() >= 0) {
          // a client sends nothing more; anything else is ignored
        }
      } catch (IOException closed) {
        // the connection ended: the same as the end of the stream
      }
      r.clientGone();
    }, command.getName() + "-watch").start();
    return r;
  }

  /** How the request ends if its client goes: set once its output writers exist. */
  synchronized void endsWith(Ending e) {
    this.ending = e;
  }

  @Override
  public boolean callersOwnProcess() {
    return false;
  }

  @Override
  public synchronized Invocation.Registration onInterrupt(Runnable detach) {
    onInterrupt.add(detach);
    return () -> {
      synchronized (this) {
        onInterrupt.remove(detach);
      }
    };
  }

  private void clientGone() {
    List<Runnable> hooks;
    Ending end;
    synchronized (this) {
      if (finished) return;
      interrupted = true;
      hooks = List.copyOf(onInterrupt);
      end = ending;
    }
    try {
      // Outside the lock: a hook writes, and the command thread may be writing too (PrintWriter holds its own lock).
      for (Runnable hook : hooks) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          // a hook that fails must not keep the others or the exit code from the client
        }
      }
      if (end != null) end.endWith(INTERRUPTED_EXIT);
    } finally {
      detached.countDown();
      command.interrupt();
    }
  }

  /**
   * The command ended (called on its thread): a later end of the connection is the normal one, and the thread must
   * not be interrupted. Returns whether the client was interrupted before: then its exit code is already sent.
   */
  boolean finished(Duration bound) {
    boolean wasInterrupted;
    synchronized (this) {
      finished = true;
      wasInterrupted = interrupted;
    }
    if (wasInterrupted) {
      try {
        detached.await(bound.toMillis(), TimeUnit.MILLISECONDS); // its last frames go out before the writer closes
      } catch (InterruptedException e) {
        // the interrupt the command was sent: handled below
      }
    }
    Thread.interrupted(); // a late interrupt must not outlive the request
    return wasInterrupted;
  }
}
