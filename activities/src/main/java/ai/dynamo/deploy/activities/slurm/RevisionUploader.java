package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Puts a revision on the cluster: the rendered scripts (re-rendered from the IR, which is deterministic) in the
 * revision directory, and the secrets the graph references as 0600 files. Idempotent: running it again writes the
 * same files.
 */
public final class RevisionUploader {
  /** The keys of a whole secret that become files (the job skips others too, docs/slurm.md). */
  static final Pattern SECRET_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final RemoteShell shell;
  private final SecretSource secrets;

  public RevisionUploader(RemoteShell shell, SecretSource secrets) {
    this.shell = shell;
    this.secrets = secrets;
  }

  /**
   * Renders and uploads the scripts of {@code revision}; writes the secrets first so that no job can start
   * without them. Fails before writing anything when a secret is missing from the source.
   */
  public Rendering upload(Graph graph, Map<String, String> settings, RemoteLayout layout, int revision)
      throws IOException {
    return upload(graph, settings, layout, revision, null);
  }

  /** The same for one component only (its scripts and the secrets it reads); null means every component. */
  public Rendering upload(Graph graph, Map<String, String> settings, RemoteLayout layout, int revision,
      Component only) throws IOException {
    Rendering rendering = Renderers.render(graph, "slurm", settings);
    Graph scope = only == null ? graph : new Graph(graph.version(), graph.name(), java.util.List.of(only));
    uploadSecrets(scope, layout);
    shell.mkdirs(layout.graphDir(), 0700);
    String revDir = layout.revisionDir(revision);
    shell.mkdirs(revDir, 0700);
    for (RenderedFile f : rendering.files()) {
      if (scope.components().stream().noneMatch(c -> belongsTo(f, c))) continue;
      String path = revDir + "/" + f.relativePath();
      shell.mkdirs(path.substring(0, path.lastIndexOf('/')), 0700);
      shell.writeFile(path, f.content().getBytes(StandardCharsets.UTF_8), f.executable() ? 0700 : 0600);
    }
    return rendering;
  }

  /** Writes every secret the graph references into the secrets directory (0700), one 0600 file per value. */
  public void uploadSecrets(Graph graph, RemoteLayout layout) throws IOException {
    TreeSet<String> singles = new TreeSet<>();
    TreeSet<String> wholes = new TreeSet<>();
    for (Component c : graph.components()) {
      for (EnvVar e : c.environment()) if (e.isSecret()) singles.add(e.secretRef());
      wholes.addAll(c.secrets());
    }
    if (singles.isEmpty() && wholes.isEmpty()) return;
    // Collect everything first: a missing secret fails the deploy before any file is written.
    Map<String, byte[]> files = secretFiles(secrets, layout, singles, wholes);
    shell.mkdirs(layout.graphDir(), 0700);
    shell.mkdirs(layout.secretsDir(), 0700);
    for (String name : wholes) shell.mkdirs(layout.secretsDir() + "/" + name, 0700);
    for (Map.Entry<String, byte[]> e : files.entrySet()) shell.writeFile(e.getKey(), e.getValue(), 0600);
  }

  /** A rendered file of one of the component's replicas (each replica's files live under its own stem). */
  static boolean belongsTo(RenderedFile f, Component c) {
    for (int r = 0; r < c.replicas(); r++) {
      if (f.relativePath().startsWith(SlurmNames.stem(c.name(), r) + "/")) return true;
    }
    return false;
  }

  /**
   * Path -> value of every secret file these secrets make on the cluster: each single value as one file, each whole
   * secret as a directory of one file per key the job reads ({@link #SECRET_KEY}); single values first, each group
   * in the order given. The one rule for {@link #uploadSecrets} and the batched apply ({@link BatchSubmitter}).
   *
   * @throws SlurmError SECRET_MISSING for the first secret the worker has no value for (nothing is returned then)
   */
  static Map<String, byte[]> secretFiles(SecretSource secrets, RemoteLayout layout, Collection<String> singles,
      Collection<String> wholes) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : singles) {
      Optional<byte[]> v = secrets.value(name);
      if (v.isEmpty()) throw missing(name, WorkerSecretSource.envName(name));
      files.put(layout.secretsDir() + "/" + name, v.get());
    }
    for (String name : wholes) {
      Optional<Map<String, byte[]>> v = secrets.whole(name);
      if (v.isEmpty()) throw missing(name, WorkerSecretSource.DIR_ENV + "/" + name + "/");
      for (Map.Entry<String, byte[]> kv : v.get().entrySet()) {
        if (!SECRET_KEY.matcher(kv.getKey()).matches()) continue; // the job would skip it too (docs/slurm.md)
        files.put(layout.secretsDir() + "/" + name + "/" + kv.getKey(), kv.getValue());
      }
    }
    return files;
  }

  static SlurmError missing(String name, String where) {
    return new SlurmError(SlurmError.Kind.SECRET_MISSING, "the graph uses secret \"" + name
        + "\" but the worker has no value for it (set " + where + " on the worker; docs/slurm-target.md)");
  }
}
