package ai.dynamo.deploy.ir;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A deployment target. Target-specific validation (e.g. "Kubernetes needs a real image") depends on it. */
public enum Target {
  K8S,
  SLURM;

  /** The name users type: {@code k8s}, {@code slurm}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code k8s} or {@code slurm} (any case); throws with the list of valid names otherwise. */
  public static Target parse(String text) {
    if (text != null) {
      for (Target t : values()) {
        if (t.cliName().equalsIgnoreCase(text.trim())) return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown target \"" + text + "\" (valid: " + Arrays.stream(values()).map(Target::cliName).collect(Collectors.joining(", ")) + ")");
  }
}
