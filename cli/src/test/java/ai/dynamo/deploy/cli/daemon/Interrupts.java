package ai.dynamo.deploy.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A command interrupted as Ctrl-C interrupts it, for the daemon tests' {@code --wait} follows: over the daemon's
 * socket (what the thin client's shutdown hook sends), or a thin client in a JVM of its own sent SIGINT.
 */
final class Interrupts {
  private Interrupts() {}

  /** How an interrupted command ended: its exit code and its standard output. */
  record Ended(int exitCode, String out) {
    String lastLine() {
      String[] lines = out.split("\\R");
      return lines[lines.length - 1];
    }
  }

  /**
   * Sends {@code args} to the daemon at {@code socket}, reads standard output until {@code following} holds (the
   * follow has begun), then ends the request stream as the thin client's shutdown hook does on Ctrl-C; returns
   * the exit code the daemon sent and all standard output.
   */
  static Ended overSocket(RunningDaemon daemon, Path cwd, List<String> args, Predicate<String> following)
      throws IOException {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(daemon.socket))) {
      Wire.write(new DataOutputStream(ChannelStreams.out(channel)),
          new Wire.Request(Wire.RUN, daemon.jar.encoded(), cwd.toString(), false, args, Map.of()));
      DataInputStream in = new DataInputStream(ChannelStreams.in(channel));
      StringBuilder out = new StringBuilder();
      while (!following.test(out.toString())) readFrame(in, out);
      channel.shutdownOutput();
      int exit;
      while ((exit = readFrame(in, out)) < 0) {
        // frames up to the exit code
      }
      return new Ended(exit, out.toString());
    }
  }

  /** Reads one frame: appends standard output to {@code out}; returns the exit code, or -1 for another frame. */
  private static int readFrame(DataInputStream in, StringBuilder out) throws IOException {
    byte kind = in.readByte();
    byte[] payload = in.readNBytes(in.readInt());
    if (kind == Wire.EXIT) return ByteBuffer.wrap(payload).getInt();
    if (kind == Wire.OUT) out.append(new String(payload, Charset.defaultCharset()));
    return -1;
  }

  /**
   * Runs {@code dynamo args} as {@code ./dynamo} does, through {@link ThinClient} in a JVM of its own in {@code cwd}
   * (its daemon's directory {@code cwd/xdg/dynamo}; {@code DYNAMO_DAEMON=off} when {@code ownProcess}), sends it
   * SIGINT once its standard output satisfies {@code following}, and returns how it ended. Checks that through the
   * daemon the client never loaded the Temporal SDK (the command ran there), and in its own process it did.
   */
  static Ended thinClient(Path cwd, String name, boolean ownProcess, Duration bound, Predicate<String> following,
      List<String> args) throws Exception {
    Path stdout = cwd.resolve(name + ".out");
    Path stderr = cwd.resolve(name + ".err");
    Path classes = cwd.resolve(name + ".classes");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xlog:class+load=info:file=" + classes,
        "-cp", System.getProperty("java.class.path"), ThinClient.class.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    pb.environment().put("XDG_RUNTIME_DIR", cwd.resolve("xdg").toString());
    if (ownProcess) pb.environment().put("DYNAMO_DAEMON", "off");
    else pb.environment().remove("DYNAMO_DAEMON");
    Process p = pb.start();
    try {
      long end = System.nanoTime() + bound.toNanos();
      while (!following.test(Files.readString(stdout))) {
        assertTrue(p.isAlive() && System.nanoTime() < end, "no follow: " + Files.readString(stdout)
            + Files.readString(stderr));
        Thread.sleep(50);
      }
      assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
      assertTrue(p.waitFor(bound.toSeconds(), TimeUnit.SECONDS), "did not end on SIGINT");
      assertEquals(ownProcess, Files.readString(classes).contains("io.temporal."));
      return new Ended(p.exitValue(), Files.readString(stdout));
    } finally {
      p.destroyForcibly();
    }
  }
}
