package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.TargetFailure;
import java.io.IOException;
import java.util.List;

/** The preflight's checks that the login node can be used: Slurm's commands, a writable remote directory. */
final class LoginNodeChecks {
  private LoginNodeChecks() {}

  /** Fails (exit 4) naming each Slurm command the login shell cannot find. */
  static void requireSlurmCommands(RemoteShell shell, String display) throws IOException {
    RemoteShell.Result tools = shell.run("for c in " + String.join(" ", SLURM_COMMANDS)
        + "; do command -v \"$c\" >/dev/null 2>&1 || echo \"$c\"; done", RemoteShell.Retry.SAFE);
    if (!tools.ok() || !tools.stdout().isBlank()) {
      throw TargetFailure.unusable("the login node " + display + " has no " + String.join(", ",
          tools.stdout().strip().split("\\s+")) + " on the login shell's PATH: Slurm's commands must run there"
          + " without a terminal (check with: ssh " + display + " 'command -v sbatch'; load Slurm's module in"
          + " ~/.bashrc, or ask the cluster's administrators)");
    }
  }

  static final List<String> SLURM_COMMANDS = List.of("sbatch", "squeue", "scancel", "scontrol", "sinfo");

  static TargetFailure unwritable(String display, String dir, String why) {
    return TargetFailure.unusable("cannot write the remote directory " + dir + " on " + display + " (" + why
        + "): choose one the login user may write with --remote-dir (setting remoteDir), on a file system the"
        + " compute nodes share");
  }
}
