package ai.dynamo.deploy.cli.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocol between the thin client and the daemon, on one Unix socket connection per command. The client sends
 * one {@link Request}; the daemon answers with frames: a kind byte, a length, the bytes. Standard output and error
 * travel as separate frames so that the client writes each to its own stream; the last frame is the exit code, or a
 * refusal or a hand-back (sent before any output) after which the client runs the command itself.
 */
final class Wire {
  static final int MAGIC = 0x44594e01;

  /** Frame kinds. */
  static final byte OUT = 1;
  static final byte ERR = 2;
  static final byte EXIT = 3;
  static final byte REFUSED = 4;
  /** Sent as soon as a request is taken: the client's bound on a stuck daemon ends there. */
  static final byte ACCEPTED = 5;
  /**
   * Sent instead of the exit code, before any output: the command must run in the client's own JVM (it would embed
   * a Temporal service); the daemon stays for the next one.
   */
  static final byte OWN_PROCESS = 6;

  /** Request kinds. */
  static final byte RUN = 1;
  static final byte STATUS = 2;
  static final byte STOP = 3;

  /** Bounds a malformed request cannot exceed. */
  private static final int MAX_STRING = 1 << 20;
  private static final int MAX_ITEMS = 10_000;

  private Wire() {}

  /**
   * One request: run {@code args} as the caller would, or a control request (status, stop).
   *
   * @param kind {@link #RUN}, {@link #STATUS} or {@link #STOP}
   * @param jar the client's {@link JarIdentity#encoded()}
   * @param cwd the caller's working directory
   * @param interactive whether the caller's output is an interactive terminal
   */
  record Request(byte kind, String jar, String cwd, boolean interactive, List<String> args, Map<String, String> env) {
    // Deliberately no toString with the contents: the environment may hold secrets and must never reach a log.
    @Override
    public String toString() {
      return "Request[kind=" + kind + "]";
    }
  }

  static void write(DataOutputStream out, Request r) throws IOException {
    out.writeInt(MAGIC);
    out.writeByte(r.kind());
    string(out, r.jar());
    string(out, r.cwd());
    out.writeBoolean(r.interactive());
    out.writeInt(r.args().size());
    for (String a : r.args()) string(out, a);
    out.writeInt(r.env().size());
    for (Map.Entry<String, String> e : r.env().entrySet()) {
      string(out, e.getKey());
      string(out, e.getValue());
    }
    out.flush();
  }

  static Request read(DataInputStream in) throws IOException {
    if (in.readInt() != MAGIC) throw new IOException("not a dynamo client");
    byte kind = in.readByte();
    String jar = string(in);
    String cwd = string(in);
    boolean interactive = in.readBoolean();
    int n = count(in);
    List<String> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) args.add(string(in));
    int m = count(in);
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < m; i++) env.put(string(in), string(in));
    return new Request(kind, jar, cwd, interactive, List.copyOf(args), env);
  }

  static void frame(DataOutputStream out, byte kind, byte[] bytes, int off, int len) throws IOException {
    out.writeByte(kind);
    out.writeInt(len);
    out.write(bytes, off, len);
    out.flush();
  }

  static void exit(DataOutputStream out, int code) throws IOException {
    frame(out, EXIT, java.nio.ByteBuffer.allocate(4).putInt(code).array(), 0, 4); // read with ByteBuffer.getInt
  }

  static void text(DataOutputStream out, byte kind, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    frame(out, kind, b, 0, b.length);
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String string(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > MAX_STRING) throw new IOException("malformed request");
    return new String(in.readNBytes(len), StandardCharsets.UTF_8);
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ITEMS) throw new IOException("malformed request");
    return n;
  }
}
