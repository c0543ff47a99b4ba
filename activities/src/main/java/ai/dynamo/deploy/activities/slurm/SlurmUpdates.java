package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.LiveRevision;
import ai.dynamo.deploy.activities.Room;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.ComponentProcess;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Slurm side of per-component updates (docs/slurm-target.md "Updates"): the live revision per component from
 * {@code state.json} with a health check (one {@code squeue}), the {@code auto} strategy's capacity probe
 * ({@code sbatch --test-only}) with the fixed-port rule, and the jobs and kept files of a live component.
 */
final class SlurmUpdates {
  /** A job Slurm expects to start within this counts as "fits now". */
  static final long STARTS_NOW_SECONDS = 60;

  private final SlurmClient slurm;
  private final RemoteShell shell;
  private final RemoteLayout layout;

  SlurmUpdates(SlurmClient slurm, RemoteLayout layout) {
    this.slurm = slurm;
    this.shell = slurm.shell();
    this.layout = layout;
  }

  /**
   * Per component of the live entry: a record written with per-component updates, else (an older state.json) one
   * derived from the entry's jobs, with its whole-spec digest marked so that only an identical request adopts it.
   */
  static Map<String, DeployState.ComponentRecord> components(DeployState.Entry live, Map<String, String> legacy) {
    if (live == null) return Map.of();
    if (!live.components().isEmpty()) return live.components();
    Map<String, DeployState.ComponentRecord> out = new TreeMap<>();
    for (Map.Entry<String, String> e : legacy.entrySet()) {
      Map<String, String> jobs = new TreeMap<>();
      String prefix = SlurmNames.stem(e.getKey(), 0).replaceAll("-0$", "-");
      live.jobs().forEach((stem, id) -> {
        if (stem.startsWith(prefix) && stem.substring(prefix.length()).matches("[0-9]+")) jobs.put(stem, id);
      });
      if (!jobs.isEmpty()) out.put(e.getKey(), new DeployState.ComponentRecord(e.getValue(), live.revision(), jobs));
    }
    return out;
  }

  /**
   * The live revision for the planning: digests and health. Healthy: every job of a service is RUNNING, every job of
   * a batch component RUNNING or COMPLETED (one {@code squeue} for all jobs, {@code scontrol} for forgotten ones).
   *
   * @param batch names of the live components that run to completion, as far as the request knows them
   */
  LiveRevision live(DeployState state, Map<String, DeployState.ComponentRecord> records, Set<String> batch)
      throws IOException {
    if (state.currentRevision() == 0) return new LiveRevision(0, Map.of(), true);
    List<String> ids = new ArrayList<>();
    records.values().forEach(r -> ids.addAll(r.jobs().values()));
    Map<String, SlurmJob> byId = new TreeMap<>();
    for (SlurmJob j : slurm.jobsById(ids)) byId.put(j.id(), j);
    Map<String, LiveRevision.Component> out = new LinkedHashMap<>();
    for (Map.Entry<String, DeployState.ComponentRecord> e : records.entrySet()) {
      List<String> bad = new ArrayList<>();
      for (String id : e.getValue().jobs().values()) {
        SlurmJob j = byId.get(id);
        boolean ok = j != null && (j.state() == SlurmJobState.RUNNING
            || batch.contains(e.getKey()) && j.state().category() == SlurmJobState.Category.COMPLETED);
        if (!ok) bad.add(j == null ? "job " + id + " is gone" : "job " + id + " " + j.stateText());
      }
      String health = bad.isEmpty() ? "job(s) " + String.join(", ", e.getValue().jobs().values()) + " running"
          : String.join(", ", bad);
      out.put(e.getKey(), new LiveRevision.Component(e.getValue().digest(), e.getValue().revision(), bad.isEmpty(),
          health));
    }
    return new LiveRevision(state.currentRevision(), out, true);
  }

  /**
   * Whether a second copy of {@code c} fits beside its live jobs now: {@code sbatch --test-only} of its first
   * replica's script (nothing is submitted). A component with a fixed port must also avoid the old jobs' nodes and
   * every node sharing an address with them (two processes on one port of one host collide): then the probe runs
   * with {@code --exclude}, and blue/green submits with it.
   */
  Room room(Graph graph, Map<String, String> settings, Component c, DeployState.ComponentRecord live)
      throws IOException {
    String script = script(graph, settings, c);
    String size = c.multiNode().numNodes() + "x" + (c.resources().gpu() > 0 ? c.resources().gpu() + "-GPU" : "CPU");
    SlurmClient.StartEstimate free = slurm.testOnly(script, "");
    if (!startsNow(free)) {
      return Room.none("the cluster has no room for a second " + size + " allocation" + when(free));
    }
    Set<Integer> ports = fixedPorts(c);
    if (ports.isEmpty() || live == null) return Room.fits("a second " + size + " allocation starts now");
    Set<String> oldNodes = new LinkedHashSet<>();
    for (SlurmJob j : slurm.jobsById(live.jobs().values())) oldNodes.addAll(slurm.hostnames(j.nodes()));
    Map<String, String> addresses = slurm.nodeAddresses();
    Set<String> oldAddresses = new TreeSet<>();
    for (String n : oldNodes) oldAddresses.add(addresses.getOrDefault(n, n));
    TreeSet<String> exclude = new TreeSet<>();
    addresses.forEach((node, addr) -> {
      if (oldNodes.contains(node) || oldAddresses.contains(addr)) exclude.add(node);
    });
    String portText = "fixed port" + (ports.size() == 1 ? " " : "s ") + joinPorts(ports);
    if (exclude.size() >= addresses.size()) {
      return Room.none(portText + ": every node shares an address with the old allocation ("
          + String.join(", ", oldAddresses) + "), so a second copy would collide");
    }
    String avoid = String.join(",", exclude);
    SlurmClient.StartEstimate apart = slurm.testOnly(script, avoid);
    if (!startsNow(apart)) {
      return Room.none(portText + ": no room for a second " + size + " allocation away from nodes " + avoid
          + when(apart));
    }
    return new Room(true, portText + ": the new copy starts now with --exclude=" + avoid, avoid);
  }

  /** The scripts of a live component as kept in its revision directory (path relative to it, as rendered). */
  Map<String, String> keptFiles(String component, DeployState.ComponentRecord live) throws IOException {
    Map<String, String> files = new TreeMap<>();
    for (String stem : live.jobs().keySet()) {
      String path = stem + "/" + stem + ".sbatch";
      shell.readFile(layout.revisionDir(live.revision()) + "/" + path).ifPresent(text -> files.put(path, text));
    }
    return files;
  }

  /** Ports the component's processes bind on their nodes: the port parameter, the readiness port, a leader's port. */
  static Set<Integer> fixedPorts(Component c) {
    Set<Integer> ports = new TreeSet<>();
    if (ComponentProcess.port(c) != null) ports.add(ComponentProcess.port(c));
    Integer ready = ComponentProcess.readiness(c).port();
    if (ready != null) ports.add(ready);
    if (c.multiNode().isMultiNode()) ports.add(ComponentProcess.leaderPort(c));
    return ports;
  }

  private static String script(Graph graph, Map<String, String> settings, Component c) {
    String path = SlurmNames.scriptPath(c.name(), 0);
    for (RenderedFile f : Renderers.render(new Graph(graph.version(), graph.name(), List.of(c)), "slurm", settings)
        .files()) {
      if (f.relativePath().equals(path)) return f.content();
    }
    throw new IllegalStateException("no script " + path + " rendered for " + c.name());
  }

  private static boolean startsNow(SlurmClient.StartEstimate e) {
    return e.secondsFromNow().isPresent() && e.secondsFromNow().get() <= STARTS_NOW_SECONDS;
  }

  private static String when(SlurmClient.StartEstimate e) {
    if (e.secondsFromNow().isPresent()) {
      long s = e.secondsFromNow().get();
      return " (sbatch --test-only: earliest start in " + (s >= 86400 ? s / 86400 + " days" : s >= 3600 ? s / 3600
          + " h" : s / 60 + " min") + ")";
    }
    return e.detail().isBlank() ? "" : " (sbatch --test-only: " + e.detail() + ")";
  }

  private static String joinPorts(Set<Integer> ports) {
    List<String> p = new ArrayList<>();
    ports.forEach(x -> p.add(Integer.toString(x)));
    return String.join(", ", p);
  }
}
