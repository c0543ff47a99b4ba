package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.ir.ShellQuote;
import ai.dynamo.deploy.client.DeployResolver;
import ai.dynamo.deploy.client.DeployResolver.Resolution;
import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.PlaceFlags;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import java.util.function.BiFunction;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A deploy named on the command line and the Temporal service it runs on: what every verb that acts on one deploy
 * takes. NAME is a workflow ID ({@code deploy/...}), or a graph name: with target flags that name a place, the
 * deploy there; alone (or with only {@code --target}), wherever Temporal says the graph is deployed
 * ({@link DeployResolver}: one place is used with the settings it was deployed with; several, or none, are a usage
 * error that says what to type).
 */
final class DeployRef {
  @Parameters(index = "0", paramLabel = "NAME",
      description = "The graph name (found through Temporal, or at the place the target flags name), or the workflow ID (deploy/<target>/<location>/<graph>).")
  String name;

  @Mixin TargetOptions target;
  @Mixin TemporalOptions temporal;

  /**
   * Connects, finds the deploy, and runs {@code body} with both.
   *
   * @param verb the verb, for messages ({@code dynamo deploy <verb> ...})
   * @param needsTarget whether the verb reaches the target (history, rollback, uninstall, logs): then a graph that
   *     Temporal no longer knows needs its flags, and the message says so
   */
  <T> T run(String verb, boolean needsTarget, BiFunction<WorkflowClient, Resolution, T> body) {
    target.handBackIfRelativeSshConfig(); // before anything is written (a spinner, on a terminal)
    return temporal.withClient(client -> body.apply(client, resolve(client, verb, needsTarget)));
  }

  Resolution resolve(WorkflowClient client, String verb, boolean needsTarget) {
    try {
      return byName(client, name, placeFromFlags(), target, verb, true);
    } catch (DeployResolver.NotFound e) {
      if (needsTarget && target.kindGiven() != null) {
        // Only --target: the default place of that kind (e.g. namespace default), as the flags say.
        TargetSpec spec = target.resolve().spec();
        return new Resolution(DeployIds.workflowId(spec.kind(), spec.location(), name), spec, false);
      }
      throw new UserError(ExitCodes.INVALID, "error: no deploy of " + name + " is known to Temporal at "
          + temporal.resolve().address() + "; see `dynamo deploy list`"
          + (needsTarget ? ".\n" + verb + " reaches the target itself, whose records outlive Temporal: name it with"
              + " its flags, e.g. `dynamo deploy " + verb + " " + name + " --target slurm --ssh-host HOST` or `dynamo"
              + " deploy " + verb + " " + name + " --target k8s -n NAMESPACE`" : ""), e);
    }
  }

  /**
   * The one resolution rule of every verb (and {@code diff -f FILE}, whose graph names itself): the deploy of
   * {@code name} at {@code place} (flags that name one), else wherever Temporal says it is, with the flags given
   * winning over the memo's settings. Several places are a usage error listing the flags that pick each.
   *
   * @param command how the message's commands start after {@code dynamo deploy} ({@code status}, {@code diff -f F})
   * @param nameInCommand whether the command takes the graph's name (not {@code diff}, whose file names it)
   * @throws DeployResolver.NotFound when Temporal knows no deploy of the graph (each verb says what then)
   */
  static Resolution byName(WorkflowClient client, String name, TargetSpec place, TargetOptions target, String command,
      boolean nameInCommand) {
    try {
      Resolution found = new DeployResolver(client).resolve(
          new DeployResolver.Query(name, place, place == null ? target.kindGiven() : null, target.given()));
      if (place == null) checkFlagsApply(target, name, found.target().kind());
      return found;
    } catch (DeployResolver.Ambiguous e) {
      StringBuilder m = new StringBuilder("error: " + name + " is deployed in " + e.places().size()
          + " places; say which:");
      for (DeployResolver.Place p : e.places()) {
        String pick = PlaceFlags.pick(name, p.workflowId(), p.memo().target());
        if (!nameInCommand && pick.startsWith(ShellQuote.word(name) + " ")) {
          pick = pick.substring(ShellQuote.word(name).length() + 1);
        }
        m.append("\n  ").append(String.format("%-36s %-12s dynamo deploy %s %s", p.label(),
            p.phase() != null ? p.phase() : p.status(), command, pick));
      }
      throw new UserError(ExitCodes.INVALID, m.toString(), e);
    }
  }

  /** The deploy at the place the flags name, without Temporal (logs and history with explicit flags), or null. */
  Resolution withoutTemporal() {
    target.handBackIfRelativeSshConfig();
    TargetSpec place = placeFromFlags();
    if (place != null) return new Resolution(DeployIds.workflowId(place.kind(), place.location(), name), place, false);
    return null;
  }

  /**
   * The kubeconfig the CLI reads the target with: {@code --kubeconfig}, else the caller's {@code KUBECONFIG} (its
   * first file; in the daemon, the environment of the command it runs for, not the daemon's own), else null
   * (fabric8's defaults).
   */
  java.nio.file.Path kubeconfig() {
    if (target.kubeconfig() != null) return target.kubeconfig();
    String files = temporal.callerEnvironment().get("KUBECONFIG");
    if (files == null || files.isBlank()) return null;
    return java.nio.file.Path.of(files.split(java.io.File.pathSeparator)[0]);
  }

  boolean isWorkflowId() {
    return name.startsWith("deploy/");
  }

  private TargetSpec placeFromFlags() {
    return !isWorkflowId() && target.namesPlace() ? target.resolve().spec() : null;
  }

  /** Flags given for a deploy found by name must belong to its target (e.g. no --ssh-key for a k8s deploy). */
  private static void checkFlagsApply(TargetOptions target, String name, String kind) {
    try {
      target.checkApplyTo(kind);
    } catch (UserError e) {
      throw new UserError(ExitCodes.INVALID, e.getMessage() + " (" + name + " is deployed on " + kind + ")", e);
    }
  }
}
