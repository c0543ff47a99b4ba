package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.workflows.DeployFailures;
import ai.dynamo.deploy.workflows.RevisionRecord;
import ai.dynamo.deploy.workflows.RevisionSpec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Revision records in the cluster, like Helm's release Secrets: one Secret per successful revision, named
 * {@code dynamo-deploy.<graph>.v<N>}, of type {@value #TYPE}, labelled with graph and revision, holding the
 * gzip-compressed manifests of the revision ({@value #MANIFESTS_KEY}), a small JSON record ({@value #RECORD_KEY}:
 * revision, spec and IR digests, who, workflow, time, note) and the gzip-compressed spec ({@value #SPEC_KEY}: the
 * graph with secret references only, never values, and the target settings) that {@code rollback --to-revision}
 * deploys again. Records written before the spec was kept lack {@value #SPEC_KEY}: history still reads them. Any worker or {@code kubectl} reads history without Temporal:
 * {@code kubectl get secret -l deploy.dynamo.ai/record=revision,deploy.dynamo.ai/graph=<graph>}.
 */
final class RevisionStore {
  static final String TYPE = "deploy.dynamo.ai/revision.v1";
  static final String RECORD = ManifestSet.PREFIX + "record";
  /**
   * What became of the revision: {@value #SUCCEEDED}, or {@value #ROLLED_BACK} for a failed revision that was rolled
   * back (a record without manifests, replaced by the next successful revision, which reuses the number).
   */
  static final String OUTCOME = ManifestSet.PREFIX + "outcome";
  static final String SUCCEEDED = "succeeded";
  static final String ROLLED_BACK = "rolled-back";
  /** A revision that was live until {@code dynamo deploy uninstall --keep-history} removed the graph. */
  static final String UNINSTALLED = "uninstalled";
  static final String MANIFESTS_KEY = "manifests.yaml.gz";
  static final String RECORD_KEY = "record.json";
  static final String SPEC_KEY = "spec.json.gz";

  // Temporal's own mapper: the spec holds a Graph, serialised exactly as the workflow history serialises it.
  private static final ObjectMapper SPEC_JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  private final KubernetesClient client;
  private final String namespace;

  RevisionStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  static String name(String graphLabel, int revision) {
    return "dynamo-deploy." + graphLabel + ".v" + revision;
  }

  /** One record as read back (what {@code history} lists). */
  record Entry(int revision, long epochMillis, String specDigest, String irDigest, String deployedBy, String note,
      String workflowId, String runId, boolean hasSpec, boolean rolledBack, boolean uninstalled) {}

  /**
   * Writes (or rewrites, idempotently) the record of a successful revision.
   *
   * @param spec what rollback --to-revision deploys again (secret references only)
   * @param note e.g. {@code rolled back to 1}; empty for an ordinary deploy
   */
  void write(ManifestSet set, RevisionRecord record, String irDigest, RevisionSpec spec, String note) {
    write(set, record, irDigest, spec, note, Map.of());
  }

  /**
   * One component of a recorded revision: its digest, the revision that applied its objects (older when adopted
   * unchanged), and its component label (how its objects are found in the record).
   */
  record ComponentEntry(String digest, int revision, String label) {}

  /** As {@link #write(ManifestSet, RevisionRecord, String, RevisionSpec, String)}, with per-component entries. */
  void write(ManifestSet set, RevisionRecord record, String irDigest, RevisionSpec spec, String note,
      Map<String, ComponentEntry> components) {
    byte[] specJson;
    try {
      specJson = SPEC_JSON.writeValueAsBytes(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the spec of revision " + record.revision(), e);
    }
    Map<String, Object> fields = recordFields(set.graphLabel(), record, irDigest, note);
    if (!components.isEmpty()) fields.put("components", components);
    Secret secret = recordSecret(set.graphLabel(), record, fields, SUCCEEDED)
        .addToData(MANIFESTS_KEY, Base64.getEncoder().encodeToString(gzip(set.toYaml())))
        .addToData(SPEC_KEY, Base64.getEncoder().encodeToString(gzip(specJson)))
        .build();
    apply(secret, "record revision " + record.revision());
  }

  /**
   * Records that revision {@code revision} failed and was rolled back ({@code note}: why), unless a successful record
   * of that number exists (which is never overwritten). Idempotent.
   */
  void writeRolledBack(String graphLabel, RevisionRecord record, String irDigest, String note) {
    Secret existing = secret(graphLabel, record.revision());
    if (existing != null && !isRolledBack(existing)) return;
    Map<String, Object> json = recordFields(graphLabel, record, irDigest, note);
    json.put("outcome", ROLLED_BACK);
    apply(recordSecret(graphLabel, record, json, ROLLED_BACK).build(), "record rolled-back revision " + record.revision());
  }

  /** The JSON record of a revision ({@value #RECORD_KEY}). */
  private static Map<String, Object> recordFields(String graphLabel, RevisionRecord record, String irDigest, String note) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("revision", record.revision());
    json.put("graph", graphLabel);
    json.put("specDigest", record.specDigest());
    json.put("irDigest", irDigest);
    json.put("deployedBy", record.startedBy());
    json.put("workflowId", record.workflowId());
    json.put("runId", record.runId());
    json.put("deployedAt", Instant.ofEpochMilli(record.epochMillis()).toString());
    json.put("note", note);
    return json;
  }

  /** The record Secret with its labels and the JSON record; the caller adds what else the outcome keeps. */
  private SecretBuilder recordSecret(String graphLabel, RevisionRecord record, Map<String, Object> json,
      String outcome) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ManifestSet.MANAGED_BY, ManifestSet.MANAGER);
    labels.put(ManifestSet.GRAPH, graphLabel);
    labels.put(ManifestSet.REVISION, Integer.toString(record.revision()));
    labels.put(RECORD, "revision");
    labels.put(OUTCOME, outcome);
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name(graphLabel, record.revision()))
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withType(TYPE)
        .addToData(RECORD_KEY, Base64.getEncoder().encodeToString(
            ManifestSet.SERIALIZATION.asJson(json).getBytes(StandardCharsets.UTF_8)));
  }

  private void apply(Secret secret, String what) {
    try {
      client.resource(secret).inNamespace(namespace).fieldManager(ServerSideApplier.FIELD_MANAGER).forceConflicts()
          .serverSideApply();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, what);
    }
  }

  static boolean isRolledBack(Secret record) {
    return outcome(record, ROLLED_BACK);
  }

  /** The live revision: the highest successfully recorded one, unless the graph was uninstalled since; 0 when none. */
  int current(String graphLabel) {
    Secret newest = newest(graphLabel);
    return newest == null || outcome(newest, UNINSTALLED) ? 0 : revision(newest);
  }

  /** The highest successfully recorded revision, uninstalled or not (the next deploy numbers on after it). */
  int last(String graphLabel) {
    Secret newest = newest(graphLabel);
    return newest == null ? 0 : revision(newest);
  }

  private Secret newest(String graphLabel) {
    return records(graphLabel).stream().filter(s -> !isRolledBack(s))
        .max(Comparator.comparingInt(RevisionStore::revision)).orElse(null);
  }

  private static int revision(Secret record) {
    return Integer.parseInt(record.getMetadata().getLabels().getOrDefault(ManifestSet.REVISION, "0"));
  }

  private static boolean outcome(Secret record, String outcome) {
    Map<String, String> labels = record.getMetadata().getLabels();
    return labels != null && outcome.equals(labels.get(OUTCOME));
  }

  /**
   * {@code uninstall --keep-history}: the live record says it was uninstalled ({@code note}, e.g. who); its spec stays,
   * so {@code rollback --to-revision} can deploy it again. Returns what it did.
   */
  String markUninstalled(String graphLabel, String note, long epochMillis) {
    Secret newest = newest(graphLabel);
    if (newest == null) return "no revision records to keep";
    if (outcome(newest, UNINSTALLED)) return "kept " + records(graphLabel).size() + " revision records";
    Map<String, Object> json = SPEC_JSON.convertValue(recordJson(newest.getData().get(RECORD_KEY)),
        new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
    json.put("outcome", UNINSTALLED);
    json.put("note", note);
    json.put("uninstalledAt", Instant.ofEpochMilli(epochMillis).toString());
    Map<String, String> labels = new LinkedHashMap<>(newest.getMetadata().getLabels());
    labels.put(OUTCOME, UNINSTALLED);
    Secret marked = new SecretBuilder(newest)
        .editMetadata().withLabels(labels).withResourceVersion(null).withManagedFields().withUid(null)
        .withCreationTimestamp(null).endMetadata()
        .addToData(RECORD_KEY, Base64.getEncoder().encodeToString(
            ManifestSet.SERIALIZATION.asJson(json).getBytes(StandardCharsets.UTF_8)))
        .build();
    apply(marked, "record the uninstall of revision " + revision(newest));
    return "kept " + records(graphLabel).size() + " revision records (revision " + revision(newest)
        + " marked uninstalled)";
  }

  /** {@code uninstall} without {@code --keep-history}: every record of the graph goes. Returns how many went. */
  int deleteAll(String graphLabel) {
    List<Secret> all = records(graphLabel);
    for (Secret s : all) {
      try {
        client.resource(s).inNamespace(namespace).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw KubeErrors.translate(e, "delete revision record " + s.getMetadata().getName());
      }
    }
    return all.size();
  }

  /** Every record of the graph, oldest first. */
  List<Entry> entries(String graphLabel) {
    List<Entry> out = new ArrayList<>();
    for (Secret s : records(graphLabel)) {
      Map<String, String> data = s.getData() == null ? Map.of() : s.getData();
      int revision = Integer.parseInt(s.getMetadata().getLabels().getOrDefault(ManifestSet.REVISION, "0"));
      JsonNode json = recordJson(data.get(RECORD_KEY));
      long at = json.hasNonNull("deployedAt") ? Instant.parse(json.get("deployedAt").asText()).toEpochMilli() : 0;
      out.add(new Entry(revision, at, text(json, "specDigest"), text(json, "irDigest"), text(json, "deployedBy"),
          text(json, "note"), text(json, "workflowId"), text(json, "runId"), data.containsKey(SPEC_KEY),
          isRolledBack(s), outcome(s, UNINSTALLED)));
    }
    out.sort(Comparator.comparingInt(Entry::revision));
    return out;
  }

  /**
   * The recorded spec of a revision: empty when the graph has no such record; a non-retryable failure when the
   * record predates stored specs (it can be listed, not deployed again).
   */
  Optional<RevisionSpec> spec(String graphLabel, int revision) {
    Secret secret = secret(graphLabel, revision);
    if (secret == null || !TYPE.equals(secret.getType()) || isRolledBack(secret)) return Optional.empty();
    String data = secret.getData() == null ? null : secret.getData().get(SPEC_KEY);
    if (data == null) {
      throw new TargetFailure(DeployFailures.NOT_SUPPORTED, "revision " + revision + " of " + graphLabel
          + " has no stored spec (its record " + name(graphLabel, revision) + " in namespace " + namespace
          + " was written before records kept the graph and settings), so it cannot be deployed again; deploy its"
          + " graph file with dynamo deploy -f instead");
    }
    try {
      return Optional.of(SPEC_JSON.readValue(gunzip(Base64.getDecoder().decode(data)), RevisionSpec.class));
    } catch (IOException e) {
      throw new TargetFailure(DeployFailures.NOT_SUPPORTED, "the stored spec of revision " + revision + " of "
          + graphLabel + " (" + name(graphLabel, revision) + ") cannot be read: " + e.getMessage());
    }
  }

  private List<Secret> records(String graphLabel) {
    try {
      return client.secrets().inNamespace(namespace)
          .withLabel(RECORD, "revision")
          .withLabel(ManifestSet.GRAPH, graphLabel)
          .list().getItems().stream()
          .filter(s -> TYPE.equals(s.getType()))
          .toList();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "read the revision records of " + graphLabel);
    }
  }

  private Secret secret(String graphLabel, int revision) {
    try {
      return client.secrets().inNamespace(namespace).withName(name(graphLabel, revision)).get();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "read revision " + revision + " of " + graphLabel);
    }
  }

  private static JsonNode recordJson(String base64) {
    if (base64 == null) return SPEC_JSON.createObjectNode();
    try {
      return SPEC_JSON.readTree(Base64.getDecoder().decode(base64));
    } catch (IOException e) {
      return SPEC_JSON.createObjectNode(); // a damaged record still lists with its revision number
    }
  }

  private static String text(JsonNode json, String field) {
    return json.hasNonNull(field) ? json.get(field).asText() : "";
  }

  /** The per-component entries of a recorded revision; empty for records from before per-component updates. */
  Map<String, ComponentEntry> components(String graphLabel, int revision) {
    Secret secret = secret(graphLabel, revision);
    if (secret == null || secret.getData() == null) return Map.of();
    JsonNode json = recordJson(secret.getData().get(RECORD_KEY));
    Map<String, ComponentEntry> out = new LinkedHashMap<>();
    if (!json.has("components")) return out;
    json.get("components").fields().forEachRemaining(e -> out.put(e.getKey(), new ComponentEntry(
        text(e.getValue(), "digest"), e.getValue().path("revision").asInt(), text(e.getValue(), "label"))));
    return out;
  }

  /** The objects of a recorded revision, or null when there is no such record. */
  ManifestSet read(String graphLabel, int revision) {
    Secret secret = secret(graphLabel, revision);
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(MANIFESTS_KEY)) return null;
    String yaml = gunzip(Base64.getDecoder().decode(secret.getData().get(MANIFESTS_KEY)));
    return ManifestSet.fromRecord(yaml, namespace, graphLabel, revision);
  }

  static byte[] gzip(String text) {
    return gzip(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static String gunzip(byte[] data) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
