package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.workflows.DeployPlans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The apply step of the Slurm target, wave-wide (docs/slurm-target.md "What one apply runs"): the applies of one
 * deploy run that arrive together (the components of a wave, started at once by the workflow) share one connection
 * and ONE remote command ({@link BatchSubmitter}), which also finds the components that already run this spec.
 * Each activity still gets its own result or error.
 */
final class SlurmApplies {
  /**
   * The first apply of a wave waits until this long after the latest one joined. Measured (a 20-component wave, load
   * 10-19 on 2 cores): 12 of 16 joined within 20 ms, the others in gaps of up to 40 ms as the worker started threads
   * for them; with a fixed 20 ms they went in a second command that waited for the first (~1.4 s later).
   */
  static final Duration QUIET = Duration.ofMillis(40);
  /** ... and never longer than this in all. */
  static final Duration MOST = Duration.ofMillis(300);
  /** Components per remote command: its request travels on the command line (Linux: 128 KiB per argument). */
  static final int MAX_BATCH = 100;

  private record Request(DeployContext ctx, BatchSubmitter.Apply apply) {}

  private final SecretSource secrets;
  private final AppliedJobs applied;
  private final Coalescer<Request, BatchSubmitter.Result> submits = new Coalescer<>(QUIET, MOST, MAX_BATCH);

  /** @param applied where each component's answered jobs are remembered for its readiness wait */
  SlurmApplies(SecretSource secrets, AppliedJobs applied) {
    this.secrets = secrets;
    this.applied = applied;
  }

  /**
   * Writes the component's files and submits its jobs (or finds them: a retry submits nothing twice). The result
   * says whether the component already ran this spec as this revision: then, when the whole batch was, nothing was
   * written (the isCurrent check rides in the same command). A held apply submits with a hold; any other releases
   * the component's held jobs (docs/slurm-target.md "Held starts").
   *
   * @param together how many applies the workflow started with this one (0: not said; then its wave's size)
   */
  BatchSubmitter.Result submit(DeployContext ctx, BatchSubmitter.Apply apply, int together, Duration commandTimeout) {
    Request mine = new Request(ctx, apply);
    int callers = together > 0 ? together : waveSize(ctx, apply.component());
    return submits.submit(SlurmSession.key(ctx, commandTimeout), mine, callers,
        batch -> SlurmSession.guard(ctx, false, commandTimeout, s -> {
          List<Integer> order = submissionOrder(ctx.graph(), batch.stream().map(Request::apply).toList());
          List<BatchSubmitter.Apply> applies = order.stream().map(i -> batch.get(i).apply()).toList();
          List<BatchSubmitter.Result> results = new BatchSubmitter(s.ssh(), secrets, s.ssh().endpoint().display())
              .submit(ctx.graph(), ctx.settings(), s.layout(), ctx.workflowId(), ctx.runId(),
                  ctx.request().specDigest(), applies);
          List<Coalescer.Outcome<BatchSubmitter.Result>> outcomes = new ArrayList<>(Collections.nCopies(
              batch.size(), null));
          for (int k = 0; k < order.size(); k++) {
            BatchSubmitter.Result r = results.get(k);
            Request asked = batch.get(order.get(k));
            if (r.failure() == null && !r.jobs().isEmpty()) {
              applied.remember(asked.ctx(), asked.apply().revision(), asked.apply().component().name(),
                  r.jobs().stream().map(BatchSubmitter.Job::id).toList());
            }
            outcomes.set(order.get(k), r.failure() == null ? Coalescer.Outcome.ok(r)
                : Coalescer.Outcome.failed(SlurmSession.failure(r.failure())));
          }
          return outcomes;
        }));
  }

  /**
   * The order in which a batch's jobs are submitted (indexes into {@code applies}): held ones last (they wait for
   * the others anyway), multi-node groups first, then the graph's order. Slurm places and launches a pass's jobs in
   * job-ID order, and one node's slurmd launches the batch scripts one after another (~75 ms each here); a group
   * becomes ready in two steps (leader, then workers), so it is a wave's slowest and should not queue behind
   * single-node jobs. Measured: in a 16-job wave submitted in the applies' arrival order, the last group's batch
   * script was launched 1.1 s after the first's.
   */
  static List<Integer> submissionOrder(Graph graph, List<BatchSubmitter.Apply> applies) {
    List<String> names = graph.components().stream().map(Component::name).toList();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < applies.size(); i++) order.add(i);
    order.sort(Comparator.<Integer, Boolean>comparing(i -> applies.get(i).held())
        .thenComparingInt(i -> -applies.get(i).component().multiNode().numNodes())
        .thenComparingInt(i -> names.indexOf(applies.get(i).component().name())));
    return order;
  }

  /**
   * How many applies can come with this one: its wave's components ({@link DeployPlans}, the workflow's one
   * ordering rule). Fewer come when some need no apply (unchanged in an update, ready in a retried wave); then the
   * quiet wait ends the gathering as before.
   */
  static int waveSize(DeployContext ctx, Component c) {
    for (List<String> wave : DeployPlans.plan(ctx.graph(), List.of()).waves()) {
      if (wave.contains(c.name())) return wave.size();
    }
    return Coalescer.UNKNOWN_CALLERS;
  }
}
