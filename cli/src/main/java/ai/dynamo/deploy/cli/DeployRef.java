package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.TargetChoice;
import ai.dynamo.deploy.workflows.TargetSpec;

/** A deploy named on the command line: a full workflow ID ({@code deploy/...}), or a graph name plus target flags. */
final class DeployRef {
  private DeployRef() {}

  static String workflowId(String name, TargetOptions target) {
    if (name.startsWith("deploy/")) return name;
    TargetChoice choice = target.resolve();
    return choice.workflowId(name);
  }

  /** Target flags name the target only when NAME is a graph name (a workflow ID: the run's own target, or null). */
  static TargetSpec targetOrNull(String name, TargetOptions target) {
    return name.startsWith("deploy/") ? null : target.resolve().spec();
  }
}
