package ai.dynamo.deploy.activities.slurm;

import java.io.IOException;
import java.util.Optional;

/**
 * What the Slurm layer needs from the login node: run a command, and read and write files. {@link SshConnection}
 * is the implementation; tests wrap it to break the connection at chosen moments.
 */
public interface RemoteShell {

  /** Whether a command may simply run again after the connection dropped mid-way. */
  enum Retry {
    /** read-only or idempotent: re-run transparently after reconnecting */
    SAFE,
    /** not idempotent on its own (sbatch): a dropped connection is reported, the caller decides */
    UNSAFE
  }

  /** The outcome of one command. */
  record Result(int exit, String stdout, String stderr) {
    public boolean ok() {
      return exit == 0;
    }
  }

  /**
   * Runs {@code command} with the login shell of the remote user. Callers quote every value with {@link Shell}.
   *
   * @throws IOException when the connection dropped and the command was UNSAFE, or reconnecting failed
   */
  Result run(String command, Retry retry) throws IOException;

  /**
   * The same with {@code stdin} as the command's input (then end of input): how content that must not appear on a
   * command line (secrets) reaches a remote program ({@link BatchSubmitter}).
   */
  default Result run(String command, byte[] stdin, Retry retry) throws IOException {
    throw new IOException("this shell cannot give a command its input"); // test doubles that never need it
  }

  /** Creates a directory and its parents, and sets the directory's mode. */
  void mkdirs(String path, int mode) throws IOException;

  /**
   * Writes a file over SFTP with {@code mode} from the start (never readable by others in between), replacing
   * it atomically (written beside it, then renamed). The content never appears on a command line.
   */
  void writeFile(String path, byte[] content, int mode) throws IOException;

  /** A file's content, or empty when it does not exist. */
  Optional<String> readFile(String path) throws IOException;

  /** The remote user's home directory (absolute), where relative paths start. */
  String home() throws IOException;
}
