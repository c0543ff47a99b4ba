package ai.dynamo.deploy.activities;

/**
 * Whether a second copy of a component fits beside the running one right now (the {@code auto} strategy's
 * question), and why.
 *
 * @param fits true: blue/green can start the new copy now
 * @param reason one phrase, printed per component ({@code the cluster has no room for a second 2x8-GPU allocation})
 * @param avoid nodes the new copy must not use (Slurm {@code --exclude}); empty for none
 */
public record Room(boolean fits, String reason, String avoid) {
  public static Room fits(String reason) {
    return new Room(true, reason, "");
  }

  public static Room none(String reason) {
    return new Room(false, reason, "");
  }
}
