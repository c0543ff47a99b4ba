package ai.dynamo.deploy.activities.slurm;

import java.util.HashSet;
import java.util.Set;

/**
 * A connection {@link SshConnectionPool} holds in shared mode: by how many (of whom how many are status followers),
 * for which runs (the one that opened or brought it, and those that joined it after the checks a new run's
 * connection passes), and whether one of them saw it fail. Guarded by the pool's lock.
 */
final class SharedConnection {
  final SshConnection connection;
  final Set<String> runs = new HashSet<>();
  String lastRun;
  int holders = 1;
  int followers;
  boolean broken;

  SharedConnection(SshConnection connection, String run, boolean follower) {
    this.connection = connection;
    runs.add(run);
    lastRun = run;
    followers = follower ? 1 : 0;
  }

  /**
   * Status followers on one connection at most: half of the channels it opens at once (at least one). Unlike the
   * other holders, a follower keeps a channel open for as long as it runs (its {@code tail}), and it outlives its
   * deploy's waits ({@link StatusFollowers#LINGER}); so the deploys a worker runs or has just run against one login
   * node would otherwise take every channel, and each step's command after that would wait for a channel until a
   * follower ends. With the cap, the next follower logs in on a connection of its own and the other half stays for
   * short commands.
   */
  static int followerLimit(SshConnection c) {
    return Math.max(1, c.channels().limit() / 2);
  }

  /** Whether another holder (a {@code follower} or not) may join: not seen failing, and below the limits. */
  boolean hasRoom(boolean follower) {
    return !broken && holders < SshConnectionPool.SHARE_LIMIT && (!follower || followers < followerLimit(connection));
  }

  /** Whether a holder of {@code run} may join without the checks a new run's connection passes. */
  boolean open(String run, boolean follower) {
    return runs.contains(run) && hasRoom(follower);
  }

  void join(boolean follower) {
    holders++;
    if (follower) followers++;
  }
}
