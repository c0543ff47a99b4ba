package ai.dynamo.deploy.activities.k8s;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.render.Rendering;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Parsed manifests of recent requests, by spec digest, namespace, revision and run: every step re-renders the whole
 * graph, and without this a 1,000-component deploy would render and parse the graph once per component step. A
 * wave's steps start together, so the first one renders and the others wait for its result instead of rendering
 * too. Entries are never modified (apply only reads them).
 */
final class ManifestCache {
  /** Renderings kept: a few deploys' revisions on one worker. */
  static final int KEPT = 8;

  private final Map<String, CompletableFuture<ManifestSet>> recent =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<ManifestSet>> eldest) {
          return size() > KEPT;
        }
      };

  /** The request's manifests for {@code revision}, rendered by {@code render} once per run. */
  ManifestSet get(DeployContext ctx, int revision, Supplier<Rendering> render) {
    // the run: multinode=auto may render differently in another run of the same spec
    String key = ctx.request().specDigest() + "/" + K8sSettings.namespace(ctx) + "/" + revision + "/" + ctx.runId();
    CompletableFuture<ManifestSet> mine = new CompletableFuture<>();
    CompletableFuture<ManifestSet> cached;
    synchronized (recent) {
      cached = recent.putIfAbsent(key, mine);
    }
    if (cached != null) {
      try {
        return cached.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) throw r;
        throw e;
      }
    }
    try {
      mine.complete(ManifestSet.of(ctx.graph(), render.get(), K8sSettings.namespace(ctx), revision,
          ctx.request().specDigest()));
    } catch (RuntimeException e) {
      RuntimeException failure = e instanceof IllegalArgumentException ? TargetFailure.invalidIr(e.getMessage()) : e;
      synchronized (recent) {
        recent.remove(key, mine); // not kept: the next step tries again
      }
      mine.completeExceptionally(failure);
      throw failure;
    }
    return mine.join();
  }
}
