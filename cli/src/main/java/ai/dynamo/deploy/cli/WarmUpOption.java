package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.worker.DeployWorker;
import picocli.CommandLine.Option;

/** {@code --[no-]warm-up} of the commands that run a long-lived worker ({@code worker}, {@code server}). */
final class WarmUpOption {
  @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Warm the worker up before it polls (two to three seconds; it rehearses a deploy in this"
          + " process: nothing reaches the Temporal service or any cluster), so that its first deploy is as quick as"
          + " the next ones (default: on; --no-warm-up skips it).")
  boolean warmUp;

  /** For the start-up line: {@code "; warmed up in 1.2 s"}, what failed in it, or nothing without a warm-up. */
  static String describe(DeployWorker worker) {
    return worker.warmUp().map(r -> r.failures().isEmpty()
        ? String.format("; warmed up in %.1f s", r.took().toMillis() / 1000.0)
        : "; warm-up incomplete, the first deploy may be slower: " + String.join("; ", r.failures())).orElse("");
  }
}
