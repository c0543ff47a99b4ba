package ai.dynamo.deploy.workflows;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a changed component is replaced (README "Updating a deploy"). Set with {@code --strategy} or the target
 * setting {@code strategy} (and {@code strategy.<component>} for one component); {@link #AUTO} is decided per
 * component by the update planning, which records the reason.
 */
public enum UpdateStrategy {
  /** blue/green when a second copy fits beside the running one now, recreate otherwise (the default) */
  AUTO("auto"),
  /** stop the old jobs/pods, then start the new ones: no extra capacity, downtime for that component only */
  RECREATE("recreate"),
  /** the new copy starts beside the old one, which goes once the new revision is READY: double capacity */
  BLUE_GREEN("blue-green");

  private final String label;

  UpdateStrategy(String label) {
    this.label = label;
  }

  /** How users write it: {@code auto}, {@code recreate}, {@code blue-green}. */
  public String label() {
    return label;
  }

  /** Parses what a user wrote; the message lists the valid values. */
  public static UpdateStrategy parse(String text) {
    for (UpdateStrategy s : values()) {
      if (s.label.equals(text)) return s;
    }
    throw new IllegalArgumentException("\"" + text + "\" is not an update strategy (valid: "
        + Arrays.stream(values()).map(UpdateStrategy::label).collect(Collectors.joining(", ")) + ")");
  }
}
