package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.Sha256;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.UpdateSettings;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one owner of per-component spec digests: what a component runs, so that a deploy can tell an unchanged
 * component (adopted as it runs) from a changed one. The digest covers the target kind and location and the files
 * the target renders for the component <em>alone</em> (a one-component graph of the same name and version): so a
 * change to another component, or a graph-wide value such as Kubernetes' IR-digest annotation, never makes this one
 * look changed, and nothing revision-specific is in it (rendered files use paths relative to the revision
 * directory; the revision label is added at apply time). Settings reach the digest through what they render (a
 * partition, a namespace); settings that only say how to reach the target (keys, known_hosts) or how to update
 * ({@link UpdateSettings}) do not. A target that renders nothing (the tests' fake) gets the component's IR and every
 * setting instead. Secret values are never in it: rendered files hold references only.
 */
public final class ComponentDigests {
  private ComponentDigests() {}

  private static final ObjectMapper JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  /** Digest per component of the request's graph, in graph order. */
  public static Map<String, String> of(DeployTarget target, DeployContext ctx) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (Component c : ctx.graph().components()) digests.put(c.name(), of(target, ctx, c));
    return digests;
  }

  public static String of(DeployTarget target, DeployContext ctx, Component c) {
    StringBuilder text = new StringBuilder();
    text.append("kind ").append(ctx.target().kind()).append('\n');
    text.append("location ").append(ctx.target().location()).append('\n');
    List<RenderedFile> files = alone(target, ctx, c);
    if (files.isEmpty()) {
      try {
        text.append("component ").append(JSON.writeValueAsString(c)).append('\n');
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise component " + c.name(), e);
      }
      UpdateSettings.withoutUpdateSettings(ctx.settings()).forEach((k, v) ->
          text.append("setting ").append(k).append('=').append(v.replace("\n", "\\n")).append('\n'));
    }
    for (RenderedFile f : files) {
      text.append("file ").append(f.relativePath()).append(f.executable() ? " x" : "").append('\n')
          .append(f.content()).append('\n');
    }
    return Sha256.hex(text.toString());
  }

  /** The files the target renders for {@code c} alone, with the update settings left out. */
  public static List<RenderedFile> alone(DeployTarget target, DeployContext ctx, Component c) {
    return target.render(forComponent(ctx, c)).files();
  }

  /** The context of a one-component graph of the same name, version and target, without update settings. */
  static DeployContext forComponent(DeployContext ctx, Component c) {
    Graph graph = ctx.graph();
    Graph one = new Graph(graph.version(), graph.name(), List.of(c));
    DeployRequest r = ctx.request();
    ai.dynamo.deploy.workflows.TargetSpec target = new ai.dynamo.deploy.workflows.TargetSpec(
        r.target().kind(), r.target().location(), UpdateSettings.withoutUpdateSettings(r.target().settings()));
    return new DeployContext(new DeployRequest(one, r.specDigest(), target, r.options()), ctx.workflowId(),
        ctx.runId());
  }
}
