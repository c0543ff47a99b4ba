package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH connection to the login node and what hangs off it, for the length of one activity: every Slurm target
 * step runs in {@link #guard}, which opens it (or takes one a previous step left for the same login,
 * {@link SshConnectionPool}), runs the step and maps the Slurm layer's errors to the engine's
 * failure types ({@link #failure}, the one mapping).
 */
record SlurmSession(SshConnection ssh, SlurmClient slurm, RemoteLayout layout) {
  private static final Logger log = LoggerFactory.getLogger(SlurmSession.class);
  /** Connections kept for the next activity with the same login on this worker ({@code DYNAMO_SSH_*} settings). */
  private static final SshConnectionPool POOL =
      new SshConnectionPool(SshPoolSettings.fromEnvironment(System.getenv()));

  /**
   * The login user's home per login ({@link SshLoginKey}), as this worker last read it ({@link #home}).
   */
  private static final Map<String, String> HOMES = new ConcurrentHashMap<>();

  interface Body<T> {
    T run(SlurmSession s) throws IOException;
  }

  static <T> T guard(DeployContext ctx, Body<T> body) {
    return guard(ctx, false, null, body);
  }

  /**
   * Opens the activity's connection, runs the body, and turns Slurm errors into the engine's failure types. On
   * the first contact ({@code firstContact}) an unreachable host is final; later it is transient and retried.
   * {@code commandTimeout} bounds each remote command (null: {@link SshOptions#COMMAND_TIMEOUT}).
   */
  static <T> T guard(DeployContext ctx, boolean firstContact, Duration commandTimeout, Body<T> body) {
    return guard(ctx, firstContact, commandTimeout, false, body);
  }

  /**
   * {@link #guard} on a connection shared with other readiness waits of the run ({@link SshConnectionPool#borrowShared}):
   * for long activities that send only an occasional command. The sharers' commands (each on its own channel) and
   * SFTP requests run at the same time ({@link SshConnection}), so one that hangs delays only its own wait; a drop is
   * replaced by one new login for all of them.
   */
  static <T> T guardShared(DeployContext ctx, Duration commandTimeout, Body<T> body) {
    return guard(ctx, false, commandTimeout, true, body);
  }

  private static <T> T guard(DeployContext ctx, boolean firstContact, Duration commandTimeout, boolean shared,
      Body<T> body) {
    SshOptions options = options(ctx, commandTimeout);
    String run = run(ctx);
    SshConnection ssh = null;
    String login = null;
    boolean held = shared; // whether this step holds the connection shared (released, never given back or closed)
    boolean ok = false;
    try {
      SshEndpoint endpoint = SlurmSettings.endpoint(ctx.settings());
      login = SshLoginKey.of(endpoint, options);
      Supplier<SshConnection> open = () -> new SshConnection(endpoint, options); // connects on first use
      if (shared) {
        ssh = POOL.borrowShared(login, run, open);
      } else {
        SshConnectionPool.Lent lent = POOL.lend(login, run, open);
        ssh = lent.connection();
        held = lent.shared(); // joined the connection the run's waits share
      }
      RemoteLayout layout = new RemoteLayout(home(login, ssh, shared), ctx.settings().get(SlurmSettings.REMOTE_DIR),
          ctx.graph());
      T result = body.run(new SlurmSession(ssh, new SlurmClient(ssh), layout));
      ok = true;
      return result;
    } catch (SlurmError e) {
      if (firstContact && e.kind() == SlurmError.Kind.UNREACHABLE) throw TargetFailure.unusable(e.getMessage());
      throw failure(e);
    } catch (IOException e) {
      throw TargetFailure.transientFailure("Slurm login node: " + e.getMessage(), e);
    } finally {
      if (ssh != null && held) {
        POOL.releaseShared(login, ssh, !ok); // a failed wait marks it broken; the last holder closes it
      } else if (ssh != null && ok) {
        POOL.giveBack(login, run, ssh);
      } else if (ssh != null) {
        ssh.close(); // a step that failed does not hand its connection on
      }
    }
  }

  /**
   * The connection for the run's status follower ({@link StatusFollowers}): the one the run's readiness waits share
   * ({@link SshConnectionPool#borrowForFollower}), so the wave after an apply needs no new login, unless it already
   * carries its share of followers ({@link SharedConnection#followerLimit}); released, not closed, when the follower
   * ends.
   */
  static StatusFollower.Connection forFollower(DeployContext ctx) {
    SshOptions options = options(ctx, null);
    SshEndpoint endpoint = SlurmSettings.endpoint(ctx.settings());
    String login = SshLoginKey.of(endpoint, options);
    SshConnection ssh = POOL.borrowForFollower(login, run(ctx), () -> new SshConnection(endpoint, options));
    return new StatusFollower.Connection(ssh, () -> POOL.releaseFollower(login, ssh));
  }

  /**
   * Starts the login a deploy run's first step will need, in the background ({@link SshConnectionPool#prepare}), when
   * this worker keeps no connection for it; returns whether it did. Settings that cannot name a login are left to
   * that step to report.
   */
  static boolean prepare(DeployContext ctx) {
    try {
      SshOptions options = options(ctx, null);
      SshEndpoint endpoint = SlurmSettings.endpoint(ctx.settings());
      return POOL.prepare(SshLoginKey.of(endpoint, options), run(ctx), () -> new SshConnection(endpoint, options));
    } catch (RuntimeException e) {
      log.debug("ssh: no login ahead for {} ({})", ctx.workflowId(), e.getMessage());
      return false;
    }
  }

  /**
   * The layout's home. A shared connection (readiness waits) that has not read it takes the login's home as this
   * worker last read it, so it logs in only when a command needs it; every other reads it (one SFTP round trip on a
   * connection its activity uses anyway), which keeps the remembered home current.
   */
  private static String home(String login, SshConnection ssh, boolean shared) throws IOException {
    String read = ssh.homeIfRead();
    if (read != null) return read;
    String known = shared ? HOMES.get(login) : null;
    if (known != null) return known;
    String home = ssh.home();
    HOMES.put(login, home);
    return home;
  }

  /**
   * Which steps may share a remote command ({@link Coalescer}): the same deploy run with the same options (a bounded
   * logs command has its own).
   */
  static String key(DeployContext ctx, Duration commandTimeout) {
    return ctx.workflowId() + "\n" + ctx.runId() + "\n" + ctx.settings() + "\n"
        + options(ctx, commandTimeout).commandTimeout();
  }

  /** The place's SSH options, each remote command bounded by {@code commandTimeout} (null: the options' default). */
  private static SshOptions options(DeployContext ctx, Duration commandTimeout) {
    SshOptions options = SlurmSettings.options(ctx.settings());
    return commandTimeout == null ? options : options.withCommandTimeout(commandTimeout);
  }

  /** The deploy run a connection serves in the pool. */
  private static String run(DeployContext ctx) {
    return ctx.workflowId() + "/" + ctx.runId();
  }

  /** The one mapping from the Slurm layer's error kinds to the engine's failure types. */
  static TargetFailure failure(SlurmError e) {
    return switch (e.kind()) {
      case UNKNOWN_HOST_KEY, CHANGED_HOST_KEY -> TargetFailure.unknownHostKey(e.getMessage());
      case AUTHENTICATION_REFUSED -> TargetFailure.authenticationRefused(e.getMessage());
      case INVALID_SETTING -> TargetFailure.invalidIr(e.getMessage());
      case SECRET_MISSING -> TargetFailure.preflightFailed(e.getMessage());
      case SUBMIT_REFUSED -> e.getMessage().contains("limit") || e.getMessage().contains("QOS")
          ? TargetFailure.quotaExceeded(e.getMessage()) : TargetFailure.preflightFailed(e.getMessage());
      case JOB_FAILED -> TargetFailure.componentFailed(e.getMessage());
      case UNREACHABLE, COMMAND_FAILED -> TargetFailure.transientFailure(e.getMessage(), e);
    };
  }
}
