package ai.dynamo.deploy.workflows.archfixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Deliberately bad workflow code (test scope only): file I/O. {@code WorkflowDeterminismTest} must reject it. */
public final class ReadsAFile {
  String settings() throws IOException {
    return Files.readString(Path.of("/etc/dynamo.conf"));
  }
}
