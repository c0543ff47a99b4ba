package ai.dynamo.deploy.testing.slurm;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The local Slurm cluster started by {@code scripts/local-slurm up}, found through its state directory
 * ({@code DYNAMO_LOCAL_SLURM_DIR}, default {@code /var/tmp/dynamo-local-slurm}) and its {@code env} file.
 *
 * <p>{@link #require()} is how a test asks for it: with {@code DYNAMO_REQUIRE_SLURM=1} (set by {@code ./test.sh})
 * a missing cluster fails the test; otherwise the test is skipped, for a developer running one module by hand.
 * Commands run as the cluster's unprivileged job user (via {@code runuser}, so the tests run as root).
 */
public final class LocalSlurmCluster {
  public static final String DEFAULT_DIR = "/var/tmp/dynamo-local-slurm";
  /** A system property that wins over {@code DYNAMO_LOCAL_SLURM_DIR}: the fixture's own tests point it elsewhere. */
  static final String DIR_PROPERTY = "dynamo.localSlurmDir";

  private final Path stateDir;
  private final Map<String, String> env;

  private LocalSlurmCluster(Path stateDir, Map<String, String> env) {
    this.stateDir = stateDir;
    this.env = env;
  }

  /** The cluster, or a failed (required) / skipped (not required) test with the reason. */
  public static LocalSlurmCluster require() {
    String reason = null;
    LocalSlurmCluster cluster = null;
    try {
      cluster = find();
    } catch (IOException | RuntimeException e) {
      reason = e.getMessage();
    }
    if (cluster != null) return cluster;
    String message = "local Slurm cluster not available (" + reason + "); run `scripts/local-slurm up` as root";
    if ("1".equals(System.getenv("DYNAMO_REQUIRE_SLURM"))) fail(message + " (DYNAMO_REQUIRE_SLURM=1)");
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  /** Reads the state directory's env file and checks that slurmctld answers. */
  private static LocalSlurmCluster find() throws IOException {
    String dir = System.getProperty(DIR_PROPERTY, System.getenv().getOrDefault("DYNAMO_LOCAL_SLURM_DIR", DEFAULT_DIR));
    Path state = Path.of(dir);
    Path envFile = state.resolve("env");
    if (!Files.isRegularFile(envFile)) throw new IOException(envFile + " does not exist");
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int eq = line.indexOf('=');
      if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    LocalSlurmCluster cluster = new LocalSlurmCluster(state, env);
    Result sinfo = cluster.run(List.of("sinfo", "-h", "-o", "%P"), null, 30);
    if (sinfo.exit() != 0) throw new IOException("sinfo failed: " + sinfo.stderr().strip());
    return cluster;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** A value of the env file, e.g. {@code DYNAMO_SLURM_SSH_PORT}. */
  public String setting(String key) {
    String v = env.get(key);
    if (v == null) throw new IllegalStateException(stateDir.resolve("env") + " has no " + key);
    return v;
  }

  public String user() {
    return setting("DYNAMO_SLURM_SSH_USER");
  }

  public String partition() {
    return setting("DYNAMO_SLURM_PARTITION");
  }

  /** A fresh directory owned by the job user in its home, for scripts and job output. */
  public Path newWorkDir(String name) throws IOException {
    Path base = Path.of(setting("DYNAMO_SLURM_USER_HOME"), "dynamo-tests");
    Path dir = base.resolve(name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    Result mk = run(List.of("mkdir", "-p", dir.toString()), null, 30);
    if (mk.exit() != 0) throw new IOException("mkdir " + dir + ": " + mk.stderr());
    return dir;
  }

  /** Gives the job user everything below {@code dir} (after the test, running as root, wrote files there). */
  public void chownToUser(Path dir) throws IOException {
    Result r = runAsRoot(List.of("chown", "-R", user() + ":", dir.toString()), 30);
    if (r.exit() != 0) throw new IOException("chown " + dir + ": " + r.stderr());
  }

  /** Runs a command as the job user with the cluster's SLURM_CONF, in {@code cwd} (or the user's home). */
  public Result run(List<String> command, Path cwd, long timeoutSeconds) throws IOException {
    return run(command, cwd, Map.of(), timeoutSeconds);
  }

  public Result run(List<String> command, Path cwd, Map<String, String> extraEnv, long timeoutSeconds)
      throws IOException {
    List<String> full = new ArrayList<>();
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) full.addAll(List.of("runuser", "-u", user(), "--"));
    full.add("env");
    full.add("SLURM_CONF=" + setting("DYNAMO_SLURM_CONF"));
    full.add("HOME=" + setting("DYNAMO_SLURM_USER_HOME"));
    extraEnv.forEach((k, v) -> full.add(k + "=" + v));
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full);
    pb.directory((cwd != null ? cwd : Path.of(setting("DYNAMO_SLURM_USER_HOME"))).toFile());
    return exec(pb, timeoutSeconds);
  }

  private Result runAsRoot(List<String> command, long timeoutSeconds) throws IOException {
    return exec(new ProcessBuilder(command), timeoutSeconds);
  }

  /** Runs a process to its end (bounded, so a hung command fails the test instead of hanging the build). */
  static Result exec(ProcessBuilder pb, long timeoutSeconds) throws IOException {
    Path out = Files.createTempFile("slurm-test", ".out");
    Path err = Files.createTempFile("slurm-test", ".err");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out after " + timeoutSeconds + "s: " + pb.command());
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + pb.command(), e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** {@code sbatch --parsable} in {@code dir}; returns the job id. */
  public String submit(Path dir, String script, Map<String, String> extraEnv, String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
    cmd.addAll(List.of(options));
    cmd.add(script);
    Result r = run(cmd, dir, extraEnv, 60);
    if (r.exit() != 0) throw new IOException("sbatch " + script + " failed: " + r.stderr().strip());
    return r.stdout().strip().split(";")[0];
  }

  /** The job's state from {@code scontrol show job} (finished jobs stay visible for MinJobAge). */
  public String jobState(String jobId) throws IOException {
    Result r = run(List.of("scontrol", "show", "job", "-o", jobId), null, 30);
    if (r.exit() != 0) throw new IOException("scontrol show job " + jobId + ": " + r.stderr().strip());
    for (String field : r.stdout().split("\\s+")) {
      if (field.startsWith("JobState=")) return field.substring("JobState=".length());
    }
    throw new IOException("no JobState for job " + jobId + ": " + r.stdout());
  }

  /** Polls until the job has left PENDING/RUNNING/COMPLETING (bounded); returns the final state. */
  public String awaitEnd(String jobId, long timeoutSeconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      String state = jobState(jobId);
      if (!List.of("PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED").contains(state)) return state;
      Thread.sleep(300);
    }
    cancel(jobId);
    throw new IOException("job " + jobId + " did not end within " + timeoutSeconds + "s (cancelled)");
  }

  public void cancel(String jobId) throws IOException {
    run(List.of("scancel", jobId), null, 30);
  }

  /** The outcome of a command. */
  public record Result(int exit, String stdout, String stderr) {}
}
