package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.LogRequest;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dynamo deploy logs} on Slurm: the job's output file over SSH ({@code tail}; {@code tail -F} to follow).
 * Which file: the replica's job directory of the revision asked for, else the one the live revision runs it from
 * (an older revision's for a component adopted unchanged), else the newest revision that ran the replica; rank 0
 * reads the job's output file, worker rank R its own {@code slurm-<id>.rank-R.out}.
 * Jobs read secrets from files at run time, so no secret value is in their output unless the process prints one.
 */
final class SlurmLogs {
  private static final Pattern REVISION_DIR = Pattern.compile("rev-([0-9]+)/([^/]+)/job-id");

  private final SshConnection ssh;
  private final RemoteLayout layout;

  SlurmLogs(SshConnection ssh, RemoteLayout layout) {
    this.ssh = ssh;
    this.layout = layout;
  }

  void read(String graph, LogRequest request, Consumer<String> lines) throws IOException {
    String stem = SlurmNames.stem(request.component(), request.replica());
    int revision = revision(graph, request, stem);
    String jobId = ssh.readFile(layout.jobIdFile(revision, request.component(), request.replica()))
        .map(String::strip).orElse("");
    if (!jobId.matches("[0-9]+(_[0-9]+)?")) {
      throw TargetFailure.invalidIr(request.component() + " replica " + request.replica() + " has no job in revision "
          + revision + " of " + graph);
    }
    int rank = request.rankOrLeader();
    String file = rank == 0 ? layout.output(revision, request.component(), request.replica(), jobId)
        : layout.rankOutput(revision, request.component(), request.replica(), jobId, rank);
    if (!ssh.run("test -f " + Shell.quote(file), RemoteShell.Retry.SAFE).ok()) {
      throw TargetFailure.invalidIr("no output of " + request.component() + " replica " + request.replica()
          + (rank == 0 ? "" : " rank " + rank) + " (job " + jobId + ", revision " + revision + "): " + file
          + " does not exist" + (rank == 0 ? " yet (the job has not started)"
              : " (the group has fewer ranks, or its workers have not started)"));
    }
    String tail = "tail -n " + (request.tailLines() < 0 ? "+1" : Integer.toString(request.tailLines()))
        + (request.follow() ? " -F" : "") + " -- " + Shell.quote(file);
    if (request.follow()) {
      try {
        ssh.stream(tail, lines);
      } catch (InterruptedIOException stopped) {
        Thread.currentThread().interrupt(); // Ctrl-C or the caller: following ends here, as tail -F's would
      }
      return;
    }
    RemoteShell.Result r = ssh.run(tail, RemoteShell.Retry.SAFE);
    if (!r.ok()) throw new IOException("tail " + file + " failed: " + r.stderr().strip());
    r.stdout().lines().forEach(lines);
  }

  /** The revision asked for; else the one the live revision runs the component from; else the newest that ran it. */
  private int revision(String graph, LogRequest request, String stem) throws IOException {
    RemoteShell.Result found = ssh.run("cd " + Shell.quote(layout.graphDir()) + " 2>/dev/null && ls -1d rev-*/*/job-id",
        RemoteShell.Retry.SAFE);
    List<Integer> revisions = new ArrayList<>();
    TreeSet<String> stems = new TreeSet<>();
    for (String line : found.stdout().split("\n")) {
      Matcher m = REVISION_DIR.matcher(line.strip());
      if (!m.matches()) continue;
      stems.add(m.group(2));
      if (m.group(2).equals(stem)) revisions.add(Integer.parseInt(m.group(1)));
    }
    if (request.revision() > 0) {
      if (revisions.contains(request.revision())) return request.revision();
      throw TargetFailure.invalidIr("revision " + request.revision() + " of " + graph + " did not run "
          + request.component() + " replica " + request.replica() + " (it ran: " + revisions + ")");
    }
    DeployState.Entry live = new DeployStateStore(ssh, layout).read(graph).current();
    if (live != null) {
      // A component adopted unchanged by an update runs from an older revision's directory: its record says which.
      DeployState.ComponentRecord adopted = live.components().get(request.component());
      if (adopted != null && revisions.contains(adopted.revision())) return adopted.revision();
      if (revisions.contains(live.revision())) return live.revision();
    }
    if (revisions.isEmpty()) {
      throw TargetFailure.invalidIr("no job of " + graph + " ran " + request.component() + " replica "
          + request.replica() + " in " + layout.graphDir()
          + (stems.isEmpty() ? " (nothing was submitted there)" : " (replicas that ran: " + String.join(", ", stems) + ")"));
    }
    return revisions.stream().mapToInt(Integer::intValue).max().getAsInt();
  }
}
