package ai.dynamo.deploy.cli.action;

import ai.dynamo.deploy.cli.ExitCodes;
import ai.dynamo.deploy.cli.UserError;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One kubeconfig file, read and parsed once per command with fabric8's kubeconfig model, so that the
 * {@code --kubeconfig} file's identity ({@link KubeconfigIdentity}) and its namespace ({@link KubeconfigNamespace})
 * come from the same read.
 *
 * @param file where it was read from, for messages
 * @param config what it says
 */
public record Kubeconfig(Path file, Config config) {
  // Built once: it sets up an ObjectMapper for the whole Kubernetes model.
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** @throws UserError (exit 2) naming the file when it cannot be read or is not a kubeconfig */
  public static Kubeconfig read(Path file) {
    Config config;
    try {
      config = SERIALIZATION.unmarshal(Files.readString(file), Config.class);
    } catch (IOException | RuntimeException e) {
      throw new UserError(ExitCodes.INVALID, "error: --kubeconfig " + file + ": cannot read it as a kubeconfig ("
          + e.getMessage() + ")", e);
    }
    return new Kubeconfig(file, config == null ? new Config() : config);
  }

  /** The file, or null when it is missing or not a kubeconfig (for callers that leave that to the worker). */
  static Kubeconfig readIfPresent(Path file) {
    if (!Files.isRegularFile(file)) return null;
    try {
      return read(file);
    } catch (UserError e) {
      return null;
    }
  }
}
