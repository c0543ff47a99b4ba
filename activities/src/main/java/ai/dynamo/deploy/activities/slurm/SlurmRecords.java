package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.workflows.RevisionEntry;
import ai.dynamo.deploy.workflows.RevisionSpec;
import ai.dynamo.deploy.workflows.RevisionStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A graph's records on the cluster as {@code history} and {@code rollback --to-revision} read them: the entries of
 * {@code state.json}, and each recorded revision's spec in {@code rev-N/spec.json} (the IR with secret references
 * only, and the settings, never secret), written when the revision is recorded.
 */
final class SlurmRecords {
  /** A recorded revision's spec, beside its scripts in {@code rev-N/}. */
  static final String SPEC_FILE = "spec.json";

  // Temporal's own mapper: the spec holds a Graph, serialised as the workflow history serialises it.
  private static final ObjectMapper SPEC_JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  private final RemoteShell ssh;
  private final RemoteLayout layout;

  SlurmRecords(RemoteShell ssh, RemoteLayout layout) {
    this.ssh = ssh;
    this.layout = layout;
  }

  /** What {@code rollback --to-revision} deploys again. */
  void writeSpec(int revision, RevisionSpec spec) throws IOException {
    ssh.mkdirs(layout.revisionDir(revision), 0700); // a revision that only adopted or removed submitted nothing
    ssh.writeFile(layout.revisionDir(revision) + "/" + SPEC_FILE, SPEC_JSON.writeValueAsBytes(spec), 0600);
  }

  /** Every entry of {@code state.json}, oldest first. */
  List<RevisionEntry> history(String graph) throws IOException {
    List<RevisionEntry> out = new ArrayList<>();
    for (DeployState.Entry e : new DeployStateStore(ssh, layout).read(graph).history()) {
      out.add(new RevisionEntry(e.revision(), e.epochMillis(), e.specDigest(), RevisionStatus.valueOf(e.status().name()),
          e.startedBy(), e.note(), e.workflowId(), e.runId()));
    }
    return out;
  }

  /** The spec of a revision that was live (a failed one has none to deploy again). */
  Optional<RevisionSpec> spec(String graph, int revision) throws IOException {
    DeployState.Entry entry = new DeployStateStore(ssh, layout).read(graph).entry(revision);
    if (entry == null || entry.status() == DeployState.Status.ROLLED_BACK || entry.status() == DeployState.Status.FAILED) {
      return Optional.empty();
    }
    return storedSpec(revision);
  }

  /** The spec written for a revision, whatever became of it. */
  Optional<RevisionSpec> storedSpec(int revision) throws IOException {
    Optional<String> json = ssh.readFile(layout.revisionDir(revision) + "/" + SPEC_FILE);
    if (json.isEmpty()) return Optional.empty();
    return Optional.of(SPEC_JSON.readValue(json.get(), RevisionSpec.class));
  }
}
