package ai.dynamo.deploy.workflows;

/** How a target is named to people: {@code kind@location}, e.g. {@code slurm@login1} or {@code k8s@prod/dynamo}. */
public final class TargetLabels {
  private TargetLabels() {}

  public static String of(TargetSpec target) {
    return target.location() == null || target.location().isEmpty()
        ? target.kind()
        : target.kind() + "@" + target.location();
  }
}
