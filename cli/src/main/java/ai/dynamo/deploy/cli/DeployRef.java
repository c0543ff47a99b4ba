package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.TargetChoice;

/** A deploy named on the command line: a full workflow ID ({@code deploy/...}), or a graph name plus target flags. */
final class DeployRef {
  private DeployRef() {}

  static String workflowId(String name, TargetOptions target) {
    if (name.startsWith("deploy/")) return name;
    TargetChoice choice = target.resolve();
    return choice.workflowId(name);
  }
}
