package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.io.InputStream;

/**
 * Watches a request's connection while its command runs: the client sends nothing after its request, so the end of
 * the stream means it went away (Ctrl-C, killed), and the command's thread is interrupted, which cancels its
 * Temporal call, as Ctrl-C would end a command running in its own process.
 */
final class RequestThread {
  private final Thread command;
  private boolean finished;

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

  private synchronized void clientGone() {
    if (!finished) command.interrupt();
  }

  /** The command ended: a later end of the connection is the normal one, and the thread must not be interrupted. */
  synchronized void finished() {
    finished = true;
    Thread.interrupted(); // called on the command's thread: a late interrupt must not outlive the request
  }
}
