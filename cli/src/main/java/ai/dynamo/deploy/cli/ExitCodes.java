package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.client.DeployWatcher;
import ai.dynamo.deploy.client.LiveStatus;

/** The documented, stable exit codes of every {@code dynamo} command (README: "Exit codes"). */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success; for a deploy: every component READY. */
  public static final int OK = 0;
  /** The deploy failed (and was rolled back unless told otherwise). */
  public static final int DEPLOY_FAILED = 1;
  /** Invalid input or usage: a bad graph file, a bad flag. Nothing was applied. */
  public static final int INVALID = 2;
  /** A deploy did not become ready within its timeout. */
  public static final int TIMED_OUT = 3;
  /** Temporal or the target could not be reached. */
  public static final int UNREACHABLE = 4;

  /**
   * The exit code of a watched deploy (or uninstall): 0 READY or UNINSTALLED, 3 TIMED_OUT, 4 target unreachable, 1
   * every other ending.
   */
  public static int of(DeployWatcher.Ending ending) {
    return switch (ending.phase()) {
      case READY, UNINSTALLED -> OK;
      case TIMED_OUT -> TIMED_OUT;
      case FAILED -> ending.targetUnreachable() ? UNREACHABLE : DEPLOY_FAILED;
      default -> DEPLOY_FAILED;
    };
  }

  /**
   * The exit code of {@code dynamo deploy status} (without {@code --wait}): 0 when the state was shown and the live
   * check (if one ran) found what was recorded; 1 a component the target records live is not ready, or nothing runs
   * where READY was recorded (as {@code deploy --wait} ends 1 when not READY); 4 the target could not be read.
   */
  public static int ofStatus(LiveStatus.View live) {
    if (live == null) return OK;
    return switch (live.state()) {
      case NOT_READY -> DEPLOY_FAILED;
      case CHECK_FAILED -> UNREACHABLE;
      case READY, NOTHING_LIVE -> OK;
    };
  }
}
