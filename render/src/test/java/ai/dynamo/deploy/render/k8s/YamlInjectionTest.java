package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.IMAGE;
import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter;
import ai.dynamo.deploy.ir.Parameter.Type;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * User strings that are special to YAML (document markers, comments, quotes, newlines, YAML 1.1 booleans and
 * numbers) reach the container exactly as written and never change the structure of the manifest.
 */
class YamlInjectionTest {
  static final List<String> CORPUS =
      List.of(
          "x\n---\napiVersion: v1\nkind: Secret", "a: b", "# comment", "'single'", "\"double\"", "back`tick`",
          "semi;colon && rm -rf /", "$(whoami)", "$$(x)", "yes", "no", "on", "off", "y", "N", "true", "null", "~",
          "0x10", "010", "1e3", "1_000", "1:20", ".inf", "-", "[a, b]", "{a: b}", "&anchor", "*alias", "!tag",
          "| literal", "> folded", "tab\there", "trailing space ", " leading", "", "ünïcödé ✓", "line1\r\nline2");

  @Test
  void everyCorpusValueArrivesLiterally() {
    List<Parameter> params = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>();
    for (int i = 0; i < CORPUS.size(); i++) {
      params.add(p("p" + i, CORPUS.get(i), Type.STRING));
      env.add(EnvVar.literal("E" + i, CORPUS.get(i)));
    }
    Component c = new Component("inj", IMAGE, Component.DEFAULT_CMD, "dyn://a.b.c", "echo", params, 1,
        Resources.NONE, env, List.of(), Map.of(), MultiNode.SINGLE, null);
    Rendering rendering = K8sRenderer.render(K8sTestGraphs.of("g", c), Map.of());
    String text = rendering.files().get(0).content();

    // fabric8 (YAML 1.2): one Deployment, values intact after the kubelet's $(VAR) expansion
    Rendered r = new Rendered(rendering, FabricModels.loadAll(rendering));
    assertEquals(List.of("Deployment/g-inj"), r.names(), "no injected document");
    Container container = Rendered.container(r.get(Deployment.class, "g-inj"));
    Map<String, String> kubeletEnv = Map.of("whoami", "root", "x", "X");
    for (int i = 0; i < CORPUS.size(); i++) {
      int argIndex = 2 + 2 * i + 1; // in=, out=, then --p<i> <value>
      assertEquals("--p" + i, container.getArgs().get(argIndex - 1));
      assertEquals(CORPUS.get(i), KubeletExpansion.expand(container.getArgs().get(argIndex), kubeletEnv));
      assertEquals(CORPUS.get(i), KubeletExpansion.expand(Rendered.env(container, "E" + i).getValue(), kubeletEnv));
    }

    // SnakeYAML (YAML 1.1, like kubectl's parser): every arg and env value is still a string, e.g. "on" is not true
    List<Object> docs = new ArrayList<>();
    new Yaml(new LoaderOptions()).loadAll(text).forEach(docs::add);
    assertEquals(1, docs.size());
    Map<?, ?> spec = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) docs.get(0)).get("spec")).get("template");
    Map<?, ?> containerYaml = (Map<?, ?>) ((List<?>) ((Map<?, ?>) spec.get("spec")).get("containers")).get(0);
    Map<String, Object> envYaml = new LinkedHashMap<>();
    for (Object e : (List<?>) containerYaml.get("env")) envYaml.put((String) ((Map<?, ?>) e).get("name"), ((Map<?, ?>) e).get("value"));
    List<?> args = (List<?>) containerYaml.get("args");
    for (int i = 0; i < CORPUS.size(); i++) {
      assertInstanceOf(String.class, args.get(2 + 2 * i + 1), "arg " + CORPUS.get(i));
      assertInstanceOf(String.class, envYaml.get("E" + i), "env " + CORPUS.get(i));
    }
  }
}
