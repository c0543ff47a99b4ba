package ai.dynamo.deploy.cli.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A daemon as the daemon tests run it in their own JVM: the real server and request runner on a Unix socket in the
 * test's directory, serving a stand-in jar ("build 1"), its log kept for the test to read.
 */
final class RunningDaemon implements AutoCloseable {
  final Path socket;
  final JarIdentity jar;
  final StringWriter log = new StringWriter();
  final DaemonRequests requests = new DaemonRequests();
  DaemonServer server;

  RunningDaemon(Path runDir) throws IOException {
    Path dir = SocketDirectory.open(runDir.resolve("run"), new StringBuilder()).orElseThrow().dir();
    jar = JarIdentity.of(Files.writeString(runDir.resolve("dynamo.jar"), "build 1"));
    socket = dir.resolve("d.sock");
    server = start(Duration.ofMinutes(10));
  }

  /** Replaces the server with one that exits after {@code idle} without requests. */
  DaemonServer restart(Duration idle) throws IOException {
    server.close();
    server = start(idle);
    return server;
  }

  private DaemonServer start(Duration idle) throws IOException {
    return DaemonServer.start(socket, jar, idle, Duration.ofMillis(50), requests, new PrintWriter(log, true));
  }

  @Override
  public void close() {
    server.close();
    requests.close();
  }
}
