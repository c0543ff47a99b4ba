package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.workflows.RevisionRecord;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Revision records in the cluster, like Helm's release Secrets: one Secret per successful revision, named
 * {@code dynamo-deploy.<graph>.v<N>}, of type {@value #TYPE}, labelled with graph and revision, holding the
 * gzip-compressed manifests of the revision ({@value #MANIFESTS_KEY}) and a small JSON record ({@value #RECORD_KEY}:
 * revision, spec and IR digests, who, workflow, time). Any worker or {@code kubectl} reads history without Temporal:
 * {@code kubectl get secret -l deploy.dynamo.ai/record=revision,deploy.dynamo.ai/graph=<graph>}.
 */
final class RevisionStore {
  static final String TYPE = "deploy.dynamo.ai/revision.v1";
  static final String RECORD = ManifestSet.PREFIX + "record";
  static final String MANIFESTS_KEY = "manifests.yaml.gz";
  static final String RECORD_KEY = "record.json";

  private final KubernetesClient client;
  private final String namespace;

  RevisionStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  static String name(String graphLabel, int revision) {
    return "dynamo-deploy." + graphLabel + ".v" + revision;
  }

  /** Writes (or rewrites, idempotently) the record of a successful revision. */
  void write(ManifestSet set, RevisionRecord record, String irDigest) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("revision", record.revision());
    json.put("graph", set.graphLabel());
    json.put("specDigest", record.specDigest());
    json.put("irDigest", irDigest);
    json.put("deployedBy", record.startedBy());
    json.put("workflowId", record.workflowId());
    json.put("runId", record.runId());
    json.put("deployedAt", Instant.ofEpochMilli(record.epochMillis()).toString());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ManifestSet.MANAGED_BY, ManifestSet.MANAGER);
    labels.put(ManifestSet.GRAPH, set.graphLabel());
    labels.put(ManifestSet.REVISION, Integer.toString(record.revision()));
    labels.put(RECORD, "revision");
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name(set.graphLabel(), record.revision()))
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withType(TYPE)
            .addToData(MANIFESTS_KEY, Base64.getEncoder().encodeToString(gzip(set.toYaml())))
            .addToData(RECORD_KEY, Base64.getEncoder().encodeToString(
                ManifestSet.SERIALIZATION.asJson(json).getBytes(StandardCharsets.UTF_8)))
            .build();
    try {
      client.resource(secret).inNamespace(namespace).fieldManager(ServerSideApplier.FIELD_MANAGER).forceConflicts()
          .serverSideApply();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "record revision " + record.revision());
    }
  }

  /** The highest recorded revision of the graph, 0 when none. */
  int current(String graphLabel) {
    try {
      return client.secrets().inNamespace(namespace)
          .withLabel(RECORD, "revision")
          .withLabel(ManifestSet.GRAPH, graphLabel)
          .list().getItems().stream()
          .filter(s -> TYPE.equals(s.getType()))
          .mapToInt(s -> Integer.parseInt(s.getMetadata().getLabels().getOrDefault(ManifestSet.REVISION, "0")))
          .max().orElse(0);
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "read the revision records of " + graphLabel);
    }
  }

  /** The objects of a recorded revision, or null when there is no such record. */
  ManifestSet read(String graphLabel, int revision) {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name(graphLabel, revision)).get();
    } catch (KubernetesClientException e) {
      throw KubeErrors.translate(e, "read revision " + revision + " of " + graphLabel);
    }
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(MANIFESTS_KEY)) return null;
    String yaml = gunzip(Base64.getDecoder().decode(secret.getData().get(MANIFESTS_KEY)));
    return ManifestSet.fromRecord(yaml, namespace, graphLabel, revision);
  }

  static byte[] gzip(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
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
