package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.client.DeployOutcomes;
import ai.dynamo.deploy.client.DeployStarter;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployResult;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.Optional;
import ai.dynamo.deploy.testing.DeployEnvironment;
import ai.dynamo.deploy.workflows.DeployOptions;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import ai.dynamo.deploy.workflows.TargetSpec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 14's Slurm measurements on the real local cluster (not a unit test: run by bench/slurm/run.sh, which prints
 * Markdown for BENCHMARKS.md): the deploy workflow on Temporal's Java test server with the real Slurm target, from
 * the start of the deploy to READY. The steps come from the jobs' own clocks (status files, the stand-in's log with
 * milliseconds; the local cluster is one host, so one clock). Overhead is READY time minus the processes' own
 * start time (each critical-path process from its start to its port opening). Ports from 19001 up (another range
 * with {@code -Dbench.firstPort=N}, when several people measure on one host).
 *
 * <p>Arguments: {@code steps}, {@code cold} (the first row of {@code steps} alone: a fresh worker's first deploy, for
 * A/B runs of a change to it), {@code twenty}, {@code scale N}, {@code load MINUTES} (any sequence). {@code load}
 * prints the RPC tables of the deploy, then a line {@code held READY from <instant>} (a caller running other work
 * meanwhile waits for it), then the hold's table.
 */
public final class ReadinessPushBenchmark {
  private static final Pattern LISTENING = Pattern.compile("(\\S+Z) standin listening on port (\\d+)");

  private final ClusterFixture fx;
  private final DeployEnvironment env;
  private final String standin;
  /** Every component gets its own ports (all local nodes share one host; cancelled jobs may linger a moment). */
  private int nextPort = Integer.getInteger("bench.firstPort", 19001);
  /** The label of the JVM's first deploy. */
  private String first = "cold (a fresh JVM's first deploy, no warm-up)";

  private ReadinessPushBenchmark(ClusterFixture fx, DeployEnvironment env) throws IOException {
    this.fx = fx;
    this.env = env;
    this.standin = fx.standinPath();
  }

  public static void main(String[] args) throws Exception {
    try (ClusterFixture fx = new ClusterFixture("bench-push");
        DeployEnvironment env = DeployEnvironment.serving(new SlurmTarget())) {
      ReadinessPushBenchmark b = new ReadinessPushBenchmark(fx, env);
      // As `dynamo worker` and `dynamo server` do before polling (-Dbench.warmUp=false: a bare JVM's first deploy).
      if (!"false".equals(System.getProperty("bench.warmUp"))) {
        var warm = env.warmUp();
        b.first = "cold (fresh worker after its " + warm.took().toMillis() + " ms warm-up)";
        if (!warm.failures().isEmpty()) throw new IllegalStateException("warm-up failed: " + warm.failures());
        // A worker's first deploy usually comes a while after its start: -Dbench.settleSeconds=N waits that long.
        int settle = Integer.getInteger("bench.settleSeconds", 0);
        if (settle > 0) {
          Thread.sleep(settle * 1000L);
          b.first += ", " + settle + " s later";
        }
      }
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "steps" -> b.steps();
          case "cold" -> b.stepsOnce(b.first);
          case "twenty" -> b.twentyColdAndWarm();
          case "scale" -> b.scale(Integer.parseInt(args[++i]));
          case "load" -> b.twenty(Integer.parseInt(args[++i]));
          default -> throw new IllegalArgumentException("unknown measurement " + args[i]);
        }
      }
    }
  }

  // ---- graphs ---------------------------------------------------------------------------------------------------

  private String group(String name, int leaderPort, int delay) {
    return "  - name: " + name + "\n    cmd: [python3, " + standin + "]\n"
        + "    run_config: {input: \"dyn://b." + name + ".generate\", output: echo, num_nodes: 2,"
        + " leader_addr: \"127.0.0.1:" + leaderPort + "\", startup_delay: " + delay + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n";
  }

  private String service(String name, String input, int port, int delay) {
    return "  - name: " + name + "\n    cmd: [python3, " + standin + "]\n"
        + "    run_config: {input: \"" + input + "\", output: echo}\n"
        + "    parameters: {port: " + port + ", startup_delay: " + delay + "}\n"
        + "    resources: {cpu: 1, memory: 128Mi}\n    readiness: {tcp: {port: " + port + "}}\n";
  }

  private Graph graph(String prefix, String components) {
    return fx.graph("version: 1\nname: " + prefix + "-" + UUID.randomUUID().toString().substring(0, 6)
        + "\ncomponents:\n" + components);
  }

  /** Deploys, returns start and READY instants; the jobs stay until {@link #cancel}. */
  private Instant[] deploy(Graph g) {
    Map<String, String> settings = fx.targetSettings();
    settings.put("time", "00:30:00");
    DeployRequest request = DeployRequest.of(g, new TargetSpec("slurm", "bench", settings),
        new DeployOptions(Duration.ofMinutes(5), Duration.ofMinutes(5), "bench"));
    Instant start = Instant.now();
    DeployStarter.Started started = DeployStarter.startOrAttach(env.client(), request);
    DeployResult result = DeployOutcomes.await(
        env.client().newUntypedWorkflowStub(started.workflowId(), Optional.of(started.runId()), Optional.empty()));
    Instant ready = Instant.now();
    if (result.phase() != Phase.READY) throw new IllegalStateException(result.phase() + " " + result.message());
    if (Boolean.getBoolean("bench.profile")) profile(started.workflowId());
    return new Instant[] {start, ready};
  }

  /** Each activity's start and end, from the workflow's history (stderr): where the deployer's time goes. */
  private void profile(String workflowId) {
    Map<Long, String> names = new TreeMap<>();
    Instant first = null;
    for (HistoryEvent e : env.client().fetchHistory(workflowId).getEvents()) {
      Instant at = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
      if (first == null) first = at;
      String what = switch (e.getEventType()) {
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
          names.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
          yield "scheduled " + names.get(e.getEventId());
        }
        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> "started " + names.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId());
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> "completed " + names.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId());
        case EVENT_TYPE_MARKER_RECORDED -> "marker (a local activity, e.g. Apply, ended) " + e.getMarkerRecordedEventAttributes().getMarkerName();
        default -> null;
      };
      if (what != null) System.err.printf("profile %6d ms %s %s%n", Duration.between(first, at).toMillis(), at, what);
    }
  }

  private void cancel(Graph g) throws IOException {
    List<String> live = new ArrayList<>();
    for (SlurmJob j : fx.jobsOf(g)) if (!j.state().ended()) live.add(j.id());
    new SlurmClient(fx.ssh).kill(live);
  }

  /** A replica's status lines and the stand-in's "listening" time from its output. */
  private record Replica(Map<String, Instant> firstOf, Instant listening, Instant submitted) {
    Instant at(String state) {
      Instant t = firstOf.get(state);
      if (t == null) throw new IllegalStateException("no " + state + " line: " + firstOf);
      return t;
    }

    /**
     * Submitted with the wave before, held (docs/workflow.md "Held starts"): its job-id file was rewritten when the
     * apply of its own wave adopted it, so no sbatch (and no Slurm job start) lies between its wave's start and its
     * process start.
     */
    boolean held() {
      return firstOf.containsKey("held");
    }
  }

  private Replica replica(Graph g, String component) throws IOException {
    RemoteLayout layout = fx.layout(g);
    Map<String, Instant> first = new TreeMap<>();
    String status = fx.ssh.readFile(layout.graphDir() + "/" + RemoteLayout.statusFileInGraphDir(1, component, 0))
        .orElse("");
    for (String line : status.split("\n")) {
      JobStatusLine.parse(line).ifPresent(l -> first.putIfAbsent(l.state(), l.time()));
    }
    String job = fx.ssh.readFile(layout.jobIdFile(1, component, 0)).orElseThrow().strip();
    String out = fx.ssh.readFile(layout.output(1, component, 0, job)).orElse("");
    Matcher m = LISTENING.matcher(out);
    Instant listening = m.find() ? Instant.parse(m.group(1)) : null;
    // The job-id file is written as sbatch returns: its modification time (ms) is when Slurm had the job.
    String mtime = fx.ssh.run("stat -c %.3Y " + Shell.quote(layout.jobIdFile(1, component, 0)), RemoteShell.Retry.SAFE)
        .stdout().strip();
    Instant submitted = Instant.ofEpochMilli(Math.round(Double.parseDouble(mtime) * 1000));
    return new Replica(first, listening, submitted);
  }

  /** Each status line's first time, in seconds after {@code start}. */
  private static String timeline(Instant start, Map<String, Instant> firstOf) {
    StringBuilder b = new StringBuilder();
    firstOf.entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(e -> b.append(e.getKey()).append(String.format(" +%.3f ", s(start, e.getValue()))));
    return b.toString().strip();
  }

  private static double s(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static void row(String what, double value, String goal, boolean met) {
    System.out.printf("| %s | %.2f s | %s | %s |%n", what, value, goal, met ? "met" : "NOT met");
  }

  // ---- measurements ---------------------------------------------------------------------------------------------

  /**
   * Issue 14's table: a 2-node group whose leader opens after 6 s, a front end that opens after 1 s. Deployed twice:
   * the first deploy of a fresh JVM (cold: after the worker's warm-up, as `dynamo worker` runs it, or without it
   * with {@code -Dbench.warmUp=false}; the fixture's own SSH login has loaded the SSH stack either way) and again
   * (warm, as in a running worker), and once more after the worker's kept connections were closed for idleness (a
   * running worker's usual deploy: warm code, a new login). Steps that include a job start show Slurm's own part beside them: from the job-id file (written as
   * sbatch returns) to the job's {@code started} line. A front end submitted held with the first wave has none in
   * its step: its job was launched already and waited for its start file.
   */
  void steps() throws Exception {
    System.out.println("| 2-component graph (issue 14) | value | of which Slurm (sbatch returned -> process running) | goal | |");
    System.out.println("|---|---:|---:|---|---|");
    stepsOnce(first);
    stepsOnce("warm");
    // A running worker's usual deploy comes long after its last one, so its connection is gone: a new login. The
    // last deploy's status follower holds the connection for its linger, then the pool closes it within 4/3 of the
    // idle time.
    Duration idle = SshPoolSettings.fromEnvironment(System.getenv()).idle();
    Thread.sleep(StatusFollowers.LINGER.toMillis() + idle.toMillis() * 4 / 3 + 1000);
    stepsOnce("running worker, new login (its connections closed for idleness)");
  }

  private void stepsOnce(String label) throws IOException {
    Graph g = graph("steps", group("group", nextPort++, 6) + service("frontend", "http", nextPort++, 1));
    Instant[] t = deploy(g);
    Replica group = replica(g, "group");
    Replica front = replica(g, "frontend");
    if (Boolean.getBoolean("bench.profile")) {
      System.err.println("profile group " + group + "\nprofile front end " + front);
    }
    double own = s(group.at("started"), group.listening()) + s(front.at("started"), front.listening());
    double total = s(t[0], t[1]);
    double s1 = s(t[0], group.at("started"));
    double s2 = s(group.listening(), group.at("workers-started"));
    double s3 = s(group.at("workers-started"), front.at("started"));
    double s4 = s(front.listening(), t[1]);
    double slurmGroup = s(group.submitted(), group.at("started"));
    // A held front end's job was running, waiting for its start file: the whole step is the deployer's.
    double slurmFront = front.held() ? 0 : s(front.submitted(), front.at("started"));
    step(label + ": deploy start -> leader process running", s1, slurmGroup);
    step(label + ": leader port open -> worker ranks started", s2, 0);
    step(label + ": worker ranks started -> front-end process running" + (front.held() ? " (held start)" : ""), s3,
        slurmFront);
    step(label + ": front-end port open -> READY", s4, 0);
    System.out.printf("| %s: READY after start (processes' own start time %.2f s) | %.2f s | | | |%n", label, own, total);
    System.out.printf("| %s: **overhead** (READY minus own start time) | %.2f s | %.2f s | <= 3 s | %s |%n", label,
        total - own, slurmGroup + slurmFront, total - own <= 3 ? "met" : "NOT met");
    cancel(g);
  }

  /** A step and its deployer time (the step minus Slurm's own job start, when it includes one) against 0.5 s. */
  private static void step(String what, double value, double slurm) {
    double deployer = value - slurm;
    System.out.printf("| %s | %.2f s | %s | <= 0.5 s deployer time | %s (deployer %.2f s) |%n", what, value,
        slurm > 0 ? String.format("%.2f s", slurm) : "", deployer <= 0.5 ? "met" : "NOT met", deployer);
  }

  /**
   * The 20-component graph twice in this JVM, as {@link #steps} does: cold (the JVM's first deploy and deploy SSH
   * login, as after a worker starts) and warm (a long-running worker's usual case).
   */
  void twentyColdAndWarm() throws Exception {
    System.out.println("| 20 components, 4 two-node groups | value | goal | |");
    System.out.println("|---|---:|---|---|");
    twenty(0, first);
    twenty(0, "warm");
  }

  /** 20 components, 4 of them 2-node groups; with {@code holdMinutes > 0}, slurmctld's RPCs during and after. */
  void twenty(int holdMinutes) throws Exception {
    twenty(holdMinutes, "");
  }

  private void twenty(int holdMinutes, String label) throws Exception {
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < 4; i++) c.append(group("group" + i, nextPort++, 6));
    for (int i = 0; i < 12; i++) c.append(service("engine" + i, "dyn://b.engine" + i + ".generate", nextPort++, 1));
    for (int i = 0; i < 4; i++) c.append(service("frontend" + i, "http", nextPort++, 1));
    Graph g = graph("twenty", c.toString());
    Sdiag sdiag = holdMinutes > 0 ? Sdiag.reset(fx) : null;
    Instant[] t = deploy(g);
    double own = 0;
    double firstSubmitted = Double.MAX_VALUE;
    double wave1 = 0;
    double wave2 = 0;
    for (var comp : g.components()) {
      Replica r = replica(g, comp.name());
      firstSubmitted = Math.min(firstSubmitted, s(t[0], r.submitted()));
      double o = s(r.at("started"), r.listening());
      if (comp.name().startsWith("frontend")) wave2 = Math.max(wave2, o);
      else wave1 = Math.max(wave1, o);
      if (Boolean.getBoolean("bench.profile")) {
        System.err.printf("profile job %-10s submitted +%.3f %s listening +%.3f%n", comp.name(),
            s(t[0], r.submitted()), timeline(t[0], r.firstOf()), s(t[0], r.listening()));
      }
    }
    own = wave1 + wave2;
    double total = s(t[0], t[1]);
    if (sdiag == null) {
      System.out.printf("| %s: deploy start -> first job submitted (the deployer's part alone) | %.2f s | | |%n", label,
          firstSubmitted);
      System.out.printf("| %s: READY after start (own start time %.2f s) | %.2f s | | |%n", label, own, total);
      row(label + ": overhead", total - own, "<= 3 s", total - own <= 3);
    } else {
      sdiag.print("during the 20-component deploy (" + String.format("%.0f", total) + " s to READY)");
      sdiag = Sdiag.reset(fx);
      System.out.println();
      System.out.println("held READY from " + sdiag.since());
      System.out.flush();
      Thread.sleep(Duration.ofMinutes(holdMinutes).toMillis());
      sdiag.print("20 components held READY for " + holdMinutes + " min");
    }
    cancel(g);
  }

  /** N single-node services in one wave: overhead per component. */
  void scale(int n) throws IOException {
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < n; i++) c.append(service("svc" + i, "http", nextPort++, 1));
    Graph g = graph("scale" + n, c.toString());
    Instant[] t = deploy(g);
    double own = 0;
    for (var comp : g.components()) {
      Replica r = replica(g, comp.name());
      own = Math.max(own, s(r.at("started"), r.listening()));
    }
    double total = s(t[0], t[1]);
    System.out.printf("| %d jobs | %.2f s | %.2f s | %.3f s |%n", n, total, total - own, (total - own) / n);
    cancel(g);
  }

  /** slurmctld's RPC counters ({@code sdiag}), reset at construction; needs root or SlurmUser. */
  record Sdiag(ClusterFixture fx, Instant since) {
    static Sdiag reset(ClusterFixture fx) throws IOException, InterruptedException {
      run(fx, "--reset");
      return new Sdiag(fx, Instant.now());
    }

    private static String run(ClusterFixture fx, String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("sdiag"));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("SLURM_CONF", fx.cluster.setting("DYNAMO_SLURM_CONF"));
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) throw new IOException("sdiag " + String.join(" ", args) + ": " + out);
      return out;
    }

    void print(String phase) throws IOException, InterruptedException {
      String out = run(fx);
      double minutes = Duration.between(since, Instant.now()).toMillis() / 60000.0;
      System.out.printf("%nslurmctld RPCs %s, %.1f min (per minute):%n%n", phase, minutes);
      System.out.println("| by | name | count | per minute |");
      System.out.println("|---|---|---:|---:|");
      String section = "";
      Pattern line = Pattern.compile("\\s*(\\S+)\\s+\\(\\s*\\d+\\)\\s+count:(\\d+).*");
      for (String l : out.split("\n")) {
        if (l.startsWith("Remote Procedure Call statistics by message type")) section = "type";
        else if (l.startsWith("Remote Procedure Call statistics by user")) section = "user";
        else if (l.startsWith("Pending RPC")) section = "";
        Matcher m = line.matcher(l);
        if (!section.isEmpty() && m.matches()) {
          long count = Long.parseLong(m.group(2));
          System.out.printf("| %s | %s | %d | %.1f |%n", section, m.group(1), count, count / minutes);
        }
      }
    }
  }
}
