package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.TargetFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The preflight's checks that the login node can be used: Slurm's commands, the partition, a writable remote
 * directory. They run as one remote command ({@link #run}): one round trip instead of four before the first sbatch.
 * Its answers are tagged lines, so that whatever a login shell prints itself cannot be taken for one.
 */
final class LoginNodeChecks {
  private LoginNodeChecks() {}

  static final List<String> SLURM_COMMANDS = List.of("sbatch", "squeue", "scancel", "scontrol", "sinfo");
  private static final String TAG = "dynamo-check ";

  /**
   * Checks, in this order, stopping at the first problem: Slurm's commands on the login shell's PATH (exit 4, naming
   * each missing one); the partition, when given, exists (a failing {@code sinfo} is not taken as an answer);
   * {@code dir} exists or is created (mode 0700) and is writable.
   */
  static void run(RemoteShell shell, String display, String partition, String dir) throws IOException {
    RemoteShell.Result r = shell.run(command(partition, dir), RemoteShell.Retry.SAFE);
    List<String> answers = new ArrayList<>();
    for (String line : r.stdout().split("\n")) if (line.startsWith(TAG)) answers.add(line.substring(TAG.length()));
    for (String a : answers) {
      if (a.startsWith("missing ")) throw missingCommands(display, a.substring("missing ".length()));
      if (a.equals("no-partition")) {
        throw TargetFailure.preflightFailed("partition \"" + partition + "\" does not exist on the cluster");
      }
      if (a.startsWith("unwritable ")) throw unwritable(display, dir, a.substring("unwritable ".length()));
    }
    if (!r.ok() || !answers.contains("ok")) {
      throw TargetFailure.unusable("the login node " + display + " did not finish its checks (exit " + r.exit() + ": "
          + r.stderr().strip() + ")");
    }
  }

  static String command(String partition, String dir) {
    String d = Shell.quote(dir);
    StringBuilder s = new StringBuilder("m=; for c in " + String.join(" ", SLURM_COMMANDS)
        + "; do command -v \"$c\" >/dev/null 2>&1 || m=\"$m $c\"; done; ");
    s.append("if [ -n \"$m\" ]; then echo \"" + TAG + "missing$m\"; exit 0; fi; ");
    if (partition != null && !partition.isBlank()) {
      s.append("if p=$(sinfo --noheader --format=%P --partition=" + Shell.quote(partition)
          + " 2>/dev/null) && [ -z \"$p\" ]; then echo '" + TAG + "no-partition'; exit 0; fi; ");
    }
    // mkdir's own message (e.g. "Permission denied") is the cause the user reads.
    s.append("if ! e=$(mkdir -p -- " + d + " 2>&1 && chmod 700 -- " + d + " 2>&1); then echo \"" + TAG
        + "unwritable $(printf %s \"$e\" | tr '\\n' ' ')\"; exit 0; fi; ");
    s.append("if [ ! -w " + d + " ]; then echo '" + TAG + "unwritable not writable'; exit 0; fi; ");
    s.append("echo '" + TAG + "ok'");
    return s.toString();
  }

  private static TargetFailure missingCommands(String display, String names) {
    return TargetFailure.unusable("the login node " + display + " has no " + String.join(", ",
        names.strip().split("\\s+")) + " on the login shell's PATH: Slurm's commands must run there"
        + " without a terminal (check with: ssh " + display + " 'command -v sbatch'; load Slurm's module in"
        + " ~/.bashrc, or ask the cluster's administrators)");
  }

  static TargetFailure unwritable(String display, String dir, String why) {
    return TargetFailure.unusable("cannot write the remote directory " + dir + " on " + display + " (" + why.strip()
        + "): choose one the login user may write with --remote-dir (setting remoteDir), on a file system the"
        + " compute nodes share");
  }
}
