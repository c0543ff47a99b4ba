package ai.dynamo.deploy.cli.daemon;

import ai.dynamo.deploy.cli.action.Terminal;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ./dynamo deploy ...} runs: a command line that {@link DaemonRoute} allows goes to the daemon, which
 * keeps the Temporal SDK loaded and its connections open, and this JVM only relays its output (tens of
 * milliseconds instead of a second of start-up). When no daemon answers, or it serves another build, the command
 * runs here exactly as {@code dynamo} runs it, and a daemon is started in the background for the next one.
 * Loads no Temporal, gRPC or picocli class unless the command runs here.
 */
public final class ThinClient {
  private ThinClient() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    Optional<SocketDirectory> dir = directoryFor(args, env, System.getProperty("user.home"));
    if (dir.isEmpty()) {
      ai.dynamo.deploy.cli.Main.main(args); // exits
      return;
    }
    JarIdentity jar = JarIdentity.ofThisProcess();
    Wire.Request request = new Wire.Request(Wire.RUN, jar.encoded(), Path.of("").toAbsolutePath().toString(),
        Terminal.interactive(System.console() != null, env.get("TERM")), List.of(args), env);
    // Unbuffered: each frame is written once, as it arrives, in the order the command wrote it.
    DaemonClient.Outcome outcome = DaemonClient.send(dir.get().socket(jar.path()), request,
        new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    if (outcome.ranThere()) System.exit(outcome.exitCode());
    int code = ai.dynamo.deploy.cli.Main.runInThisProcess(args);
    // After the command, not before: on two cores the daemon's start would slow this command down. Not when the
    // daemon serves this build and gave the command back (it would embed a Temporal service).
    if (!outcome.handedBack()) DaemonLauncher.startInBackground(dir.get(), jar);
    System.exit(code);
  }

  /**
   * The daemon's directory when {@code args} may run there and the directory is safe to use; empty when the
   * command runs in this process (not a daemon verb, {@code DYNAMO_DAEMON=off}, or a directory refused).
   */
  static Optional<SocketDirectory> directoryFor(String[] args, Map<String, String> env, String userHome) {
    if (!DaemonRoute.routes(args, env)) return Optional.empty();
    return SocketDirectory.open(SocketDirectory.location(env, userHome), new StringBuilder());
  }
}
