package ai.dynamo.deploy.render.k8s;

import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.IMAGE;
import static ai.dynamo.deploy.render.k8s.K8sTestGraphs.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.ir.GraphDigest;
import ai.dynamo.deploy.ir.MultiNode;
import ai.dynamo.deploy.ir.Parameter.Type;
import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.Resources;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Rendering;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes rendering rules, one rule per test. */
class K8sRendererTest {

  @Test
  void oneFilePerComponentInGraphOrder() {
    Rendering r = K8sRenderer.render(K8sTestGraphs.seed(), Map.of());
    assertEquals(
        List.of("http-ingress.yaml", "vllm-worker.yaml", "sglang-worker.yaml", "batch-processor.yaml",
            "trtllm-leader.yaml"),
        r.files().stream().map(RenderedFile::relativePath).toList());
    for (RenderedFile f : r.files()) {
      assertFalse(f.executable());
      assertTrue(f.content().endsWith("\n"));
    }
  }

  @Test
  void reRenderIsByteIdentical() {
    Rendering first = K8sRenderer.render(K8sTestGraphs.seed(), Map.of("namespace", "llm"));
    Rendering second = K8sRenderer.render(K8sTestGraphs.seed(), Map.of("namespace", "llm"));
    assertEquals(first, second);
    for (int i = 0; i < first.files().size(); i++) {
      assertEquals(first.files().get(i).content(), second.files().get(i).content());
    }
  }

  @Test
  void theRenderEntryPointReachesThisRenderer() {
    assertEquals(K8sRenderer.render(K8sTestGraphs.seed(), Map.of("namespace", "x")),
        ai.dynamo.deploy.render.Renderers.render(K8sTestGraphs.seed(), "k8s", Map.of("namespace", "x")));
  }

  @Test
  void namespaceDefaultsToDefaultAndIsOnEveryObject() {
    for (HasMetadata o : Rendered.of(K8sTestGraphs.seed()).objects()) {
      assertEquals("default", o.getMetadata().getNamespace(), o.getKind());
    }
    for (HasMetadata o : Rendered.of(K8sTestGraphs.seed(), Map.of("namespace", "team-a")).objects()) {
      assertEquals("team-a", o.getMetadata().getNamespace(), o.getKind());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> K8sRenderer.render(K8sTestGraphs.seed(), Map.of("namespace", "Team_A")));
    assertTrue(e.getMessage().contains("namespace") && e.getMessage().contains("Team_A"), e.getMessage());
  }

  @Test
  void argvBecomesCommandAndArgs() {
    Container c = Rendered.container(Rendered.of(K8sTestGraphs.seed()).get(Deployment.class,
        "dynamo-graph-vllm-worker"));
    assertEquals(List.of("dynamo", "serve"), c.getCommand());
    assertEquals(
        List.of("in=dyn://llama3-8b.backend.generate", "out=vllm", "--model-path",
            "meta-llama/Meta-Llama-3-8B-Instruct", "--tensor-parallel-size", "2", "--context-length", "8192",
            "--base-gpu-id", "0", "--extra-engine-args", "vllm_config.json"),
        c.getArgs());
    Container batch = Rendered.container(Rendered.of(K8sTestGraphs.seed()).get(Job.class,
        "dynamo-graph-batch-processor"));
    assertEquals(List.of("in=batch:/data/prompts.jsonl", "out=mistralrs", "--model-path", "Qwen/Qwen3-4B", "-vv"),
        batch.getArgs());
  }

  @Test
  void userValuesWithDollarParenArriveLiterally() {
    Component tricky =
        new Component(
            "tricky", IMAGE, List.of("/bin/$(SHELL)"), "dyn://a.b.c", "echo",
            List.of(p("prompt", "say $(HOSTNAME) and $$(X) and $HOME", Type.STRING)), 1, Resources.NONE,
            List.of(EnvVar.literal("GREETING", "hi $(USER)"), EnvVar.literal("NAME", "x")), List.of(), Map.of(),
            MultiNode.SINGLE, null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", tricky));
    Container c = Rendered.container(r.get(Deployment.class, "g-tricky"));
    assertEquals("/bin/$$(SHELL)", c.getCommand().get(0));
    assertEquals("say $$(HOSTNAME) and $$$$(X) and $HOME", c.getArgs().get(3));
    assertEquals("hi $$(USER)", Rendered.env(c, "GREETING").getValue());

    // What the process sees after the kubelet expands with every variable defined: exactly what the user wrote.
    Map<String, String> env = Map.of("SHELL", "bash", "HOSTNAME", "pod", "X", "x", "USER", "root", "HOME", "/root");
    assertEquals("/bin/$(SHELL)", KubeletExpansion.expand(c.getCommand().get(0), env));
    assertEquals("say $(HOSTNAME) and $$(X) and $HOME", KubeletExpansion.expand(c.getArgs().get(3), env));
    assertEquals("hi $(USER)", KubeletExpansion.expand(Rendered.env(c, "GREETING").getValue(), env));
  }

  @Test
  void secretsAreReferencesOnly() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    Container c = Rendered.container(r.get(Deployment.class, "dynamo-graph-vllm-worker"));
    io.fabric8.kubernetes.api.model.EnvVar token = Rendered.env(c, "HF_TOKEN");
    assertNull(token.getValue());
    assertEquals("hf-token", token.getValueFrom().getSecretKeyRef().getName());
    assertEquals("HF_TOKEN", token.getValueFrom().getSecretKeyRef().getKey());
    assertEquals(1, c.getEnvFrom().size());
    assertEquals("my-secret-name", c.getEnvFrom().get(0).getSecretRef().getName());
    // env keeps the user's order, literal values as written
    assertEquals(List.of("CUDA_VISIBLE_DEVICES", "HF_TOKEN"),
        c.getEnv().stream().map(io.fabric8.kubernetes.api.model.EnvVar::getName).toList());
    assertEquals("0,1", Rendered.env(c, "CUDA_VISIBLE_DEVICES").getValue());

    String text = r.file("vllm-worker.yaml").content();
    assertFalse(text.contains("${{"), "no IR reference syntax leaks into manifests");
    assertFalse(text.contains("kind: Secret"), "the renderer never creates Secrets (they would need values)");
    // every env entry has either a literal value the user wrote or a valueFrom reference
    for (HasMetadata o : r.objects()) {
      if (o instanceof Service) continue;
      for (io.fabric8.kubernetes.api.model.EnvVar e : Rendered.container(o).getEnv()) {
        if (e.getName().equals("HF_TOKEN")) assertNull(e.getValue());
      }
    }
  }

  @Test
  void gpuIsALimitAndGetsSharedMemory() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    Container vllm = Rendered.container(r.get(Deployment.class, "dynamo-graph-vllm-worker"));
    assertEquals(new Quantity("2"), vllm.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals(new Quantity("24Gi"), vllm.getResources().getLimits().get("memory"));
    assertEquals(new Quantity("24Gi"), vllm.getResources().getRequests().get("memory"));
    assertFalse(vllm.getResources().getRequests().containsKey("cpu"), "no cpu asked, none rendered");
    assertEquals("/dev/shm", vllm.getVolumeMounts().get(0).getMountPath());

    Container ingress = Rendered.container(r.get(Deployment.class, "dynamo-graph-http-ingress"));
    assertFalse(ingress.getResources().getLimits().containsKey("nvidia.com/gpu"));
    assertEquals(new Quantity("500m"), ingress.getResources().getRequests().get("cpu"));
    assertEquals(new Quantity("500m"), ingress.getResources().getLimits().get("cpu"));
    assertTrue(ingress.getVolumeMounts().isEmpty());

    Container leader = Rendered.container(r.get(StatefulSet.class, "dynamo-graph-trtllm-leader-leader"));
    assertEquals(new Quantity("8"), leader.getResources().getLimits().get("nvidia.com/gpu"), "gpu is per node");
  }

  @Test
  void nodeSelectorIsCopied() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    for (String name : List.of("dynamo-graph-trtllm-leader-leader", "dynamo-graph-trtllm-leader-worker-0")) {
      assertEquals(Map.of("role", "leader"),
          Rendered.template(r.get(StatefulSet.class, name)).getSpec().getNodeSelector());
    }
    assertTrue(Rendered.template(r.get(Deployment.class, "dynamo-graph-vllm-worker")).getSpec().getNodeSelector()
        .isEmpty());
  }

  @Test
  void httpPortGetsServiceAndTcpProbesWithStartupBudget() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    Service svc = r.get(Service.class, "dynamo-graph-http-ingress");
    assertEquals("ClusterIP", svc.getSpec().getType());
    assertEquals(8080, svc.getSpec().getPorts().get(0).getPort());
    assertEquals(Labels.selector(K8sNames.of(K8sTestGraphs.seed(), K8sTestGraphs.httpIngress()),
        Labels.Role.SERVICE), svc.getSpec().getSelector());

    Container c = Rendered.container(r.get(Deployment.class, "dynamo-graph-http-ingress"));
    assertEquals(8080, c.getReadinessProbe().getTcpSocket().getPort().getIntVal());
    assertEquals(8080, c.getStartupProbe().getTcpSocket().getPort().getIntVal());
    Probe startup = c.getStartupProbe();
    assertEquals(5400, startup.getFailureThreshold() * startup.getPeriodSeconds(), "the default --timeout, 90 m");
    assertTrue(r.get(Deployment.class, "dynamo-graph-http-ingress").getSpec().getProgressDeadlineSeconds()
        > startup.getFailureThreshold() * startup.getPeriodSeconds(), "rollout deadline outlasts the startup budget");
  }

  /** A model that loads for 70 minutes under {@code --timeout 3h}: neither the kubelet nor the rollout gives up. */
  @Test
  void startupWindowIsTheDeploysReadinessTimeoutOnEveryProbedWorkload() {
    int timeout = 3 * 3600 + 5; // not a whole number of probe periods: rounded up, never down
    Rendered r = Rendered.of(K8sTestGraphs.seed(), Map.of("readinessTimeoutSeconds", Integer.toString(timeout)));
    List<Container> probed = List.of(
        Rendered.container(r.get(Deployment.class, "dynamo-graph-http-ingress")),
        Rendered.container(r.get(StatefulSet.class, "dynamo-graph-trtllm-leader-leader")));
    for (Container c : probed) {
      Probe startup = c.getStartupProbe();
      int window = startup.getFailureThreshold() * startup.getPeriodSeconds();
      assertTrue(window >= timeout && window < timeout + startup.getPeriodSeconds(), c.getName() + ": " + window);
      assertEquals(3, c.getReadinessProbe().getFailureThreshold(), "only the startup probe grows");
    }
    Probe startup = probed.get(0).getStartupProbe();
    assertTrue(r.get(Deployment.class, "dynamo-graph-http-ingress").getSpec().getProgressDeadlineSeconds()
        > startup.getFailureThreshold() * startup.getPeriodSeconds(), "rollout deadline outlasts the startup window");
  }

  @Test
  void aBadReadinessTimeoutIsRefusedNamingTheSetting() {
    for (String bad : List.of("0", "-5", "3h", "31536001")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> K8sRenderer.render(K8sTestGraphs.seed(), Map.of("readinessTimeoutSeconds", bad)));
      assertTrue(e.getMessage().startsWith("setting readinessTimeoutSeconds: \"" + bad + "\""), e.getMessage());
      assertTrue(K8sRenderer.settingProblem("readinessTimeoutSeconds", bad) != null, bad);
    }
  }

  @Test
  void runningReadinessHasNoProbeAndNoService() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    Container c = Rendered.container(r.get(Deployment.class, "dynamo-graph-vllm-worker"));
    assertNull(c.getReadinessProbe());
    assertNull(c.getStartupProbe());
    assertTrue(r.names().stream().noneMatch(n -> n.equals("Service/dynamo-graph-vllm-worker")));
  }

  @Test
  void runningReadinessWaitsItsStatedSecondsAndFiveForRunningTrue() {
    Component c = K8sTestGraphs.component("w", "dyn://a.b.c", "vllm", List.of());
    Rendered stated = Rendered.of(K8sTestGraphs.of("g", withReadiness(c, new Readiness(Readiness.Type.RUNNING, null,
        null, 45))));
    assertEquals(45, stated.get(Deployment.class, "g-w").getSpec().getMinReadySeconds());
    Rendered plain = Rendered.of(K8sTestGraphs.of("g", withReadiness(c, new Readiness(Readiness.Type.RUNNING, null,
        null))));
    assertEquals(5, plain.get(Deployment.class, "g-w").getSpec().getMinReadySeconds());
  }

  @Test
  void explicitHttpReadinessGivesHttpGetAndAServiceOnThatPort() {
    Component c = K8sTestGraphs.component("api", "dyn://a.b.c", "vllm", List.of());
    c = withReadiness(c, K8sTestGraphs.http(9090, "/health"));
    Rendered r = Rendered.of(K8sTestGraphs.of("g", c));
    Container container = Rendered.container(r.get(Deployment.class, "g-api"));
    assertEquals("/health", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals(9090, container.getReadinessProbe().getHttpGet().getPort().getIntVal());
    assertEquals("/health", container.getStartupProbe().getHttpGet().getPath());
    assertEquals(9090, r.get(Service.class, "g-api").getSpec().getPorts().get(0).getPort());
  }

  @Test
  void batchIsAJobThatRunsToCompletion() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    Job job = r.get(Job.class, "dynamo-graph-batch-processor");
    assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());
    assertEquals(ComponentManifests.JOB_BACKOFF_LIMIT, job.getSpec().getBackoffLimit());
    assertEquals(1, job.getSpec().getCompletions());
    assertNull(Rendered.container(job).getReadinessProbe());
    assertEquals(List.of("Job/dynamo-graph-batch-processor"),
        Rendered.of(K8sTestGraphs.of("dynamo-graph", K8sTestGraphs.batchProcessor())).names());
    Rendering tcp = K8sRenderer.render(
        K8sTestGraphs.of("g", withReadiness(K8sTestGraphs.batchProcessor(), new Readiness(Readiness.Type.TCP, 80, null))),
        Map.of());
    assertEquals(1, tcp.warnings().size());
    assertTrue(tcp.warnings().get(0).contains("batch_processor"), tcp.warnings().get(0));
    Rendering running = K8sRenderer.render(
        K8sTestGraphs.of("g", withReadiness(K8sTestGraphs.batchProcessor(),
            new Readiness(Readiness.Type.RUNNING, null, null))),
        Map.of());
    assertEquals(List.of(), running.warnings(), "ready-when-running is what a Job does anyway");
  }

  @Test
  void multiNodeBatchIsOneIndexedJobPerGroup() {
    Component c = K8sTestGraphs.batchProcessor();
    Component multi =
        new Component(c.name(), c.image(), c.cmd(), c.input(), c.output(), c.parameters(), 2, c.resources(),
            c.environment(), c.secrets(), c.nodeSelector(), new MultiNode(3, null, null), null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", multi), Map.of("namespace", "ns1"));
    assertEquals(List.of("Service/g-batch-processor-group", "Job/g-batch-processor-group-0",
        "Job/g-batch-processor-group-1"), r.names());
    Service names = r.get(Service.class, "g-batch-processor-group");
    assertEquals("None", names.getSpec().getClusterIP());
    assertTrue(names.getSpec().getPublishNotReadyAddresses());
    for (int group = 0; group < 2; group++) {
      Job job = r.get(Job.class, "g-batch-processor-group-" + group);
      assertEquals("Indexed", job.getSpec().getCompletionMode());
      assertEquals(3, job.getSpec().getCompletions());
      assertEquals(3, job.getSpec().getParallelism(), "all nodes of a group run together");
      assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());
      assertEquals("g-batch-processor-group", job.getSpec().getTemplate().getSpec().getSubdomain());
      Container container = Rendered.container(job);
      assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']",
          Rendered.env(container, PodTemplates.NODE_RANK_ENV).getValueFrom().getFieldRef().getFieldPath());
      List<String> args = container.getArgs();
      assertEquals(List.of("--num-nodes", "3", "--node-rank", "$(DYNAMO_NODE_RANK)", "--leader-addr",
          "g-batch-processor-group-" + group + "-0.g-batch-processor-group.ns1.svc:29500"),
          args.subList(args.size() - 6, args.size()));
    }
  }

  @Test
  void multiNodeGroupsHaveLeaderWorkersAndStableLeaderNames() {
    Component c = multiNode("llm", 3, 2, null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", c), Map.of("namespace", "ns1"));
    assertEquals(
        List.of("Service/g-llm-leader", "Service/g-llm-worker", "StatefulSet/g-llm-leader",
            "StatefulSet/g-llm-worker-0", "StatefulSet/g-llm-worker-1"),
        r.names());

    Service leaders = r.get(Service.class, "g-llm-leader");
    assertEquals("None", leaders.getSpec().getClusterIP());
    assertTrue(leaders.getSpec().getPublishNotReadyAddresses());
    assertEquals("leader", leaders.getSpec().getSelector().get(Labels.ROLE));
    assertEquals(29500, leaders.getSpec().getPorts().get(0).getPort());

    StatefulSet leader = r.get(StatefulSet.class, "g-llm-leader");
    assertEquals(2, leader.getSpec().getReplicas(), "one leader pod per group");
    assertEquals("g-llm-leader", leader.getSpec().getServiceName());
    assertEquals("Parallel", leader.getSpec().getPodManagementPolicy());
    Container lc = Rendered.container(leader);
    assertEquals("0", Rendered.env(lc, PodTemplates.NODE_RANK_ENV).getValue());
    assertEquals("metadata.name",
        Rendered.env(lc, PodTemplates.POD_NAME_ENV).getValueFrom().getFieldRef().getFieldPath());
    List<String> leaderArgs = lc.getArgs();
    assertEquals(
        List.of("--num-nodes", "3", "--node-rank", "$(DYNAMO_NODE_RANK)", "--leader-addr",
            "$(DYNAMO_POD_NAME).g-llm-leader.ns1.svc:29500"),
        leaderArgs.subList(leaderArgs.size() - 6, leaderArgs.size()));
    assertEquals(29500, lc.getReadinessProbe().getTcpSocket().getPort().getIntVal(), "leader port readiness");
    // the leader pod of group 1 resolves its own address to the one its workers use
    assertEquals("g-llm-leader-1.g-llm-leader.ns1.svc:29500",
        KubeletExpansion.expand(leaderArgs.get(leaderArgs.size() - 1),
            Map.of(PodTemplates.POD_NAME_ENV, "g-llm-leader-1")));

    for (int group = 0; group < 2; group++) {
      StatefulSet workers = r.get(StatefulSet.class, "g-llm-worker-" + group);
      assertEquals(2, workers.getSpec().getReplicas(), "N-1 workers per group");
      assertEquals(1, workers.getSpec().getOrdinals().getStart(), "pod index = node rank");
      assertEquals("g-llm-worker", workers.getSpec().getServiceName());
      assertEquals(Integer.toString(group), workers.getSpec().getSelector().getMatchLabels().get(Labels.GROUP));
      Container wc = Rendered.container(workers);
      assertEquals("metadata.labels['apps.kubernetes.io/pod-index']",
          Rendered.env(wc, PodTemplates.NODE_RANK_ENV).getValueFrom().getFieldRef().getFieldPath());
      List<String> args = wc.getArgs();
      assertEquals("g-llm-leader-" + group + ".g-llm-leader.ns1.svc:29500", args.get(args.size() - 1));
      assertEquals("$(DYNAMO_NODE_RANK)", args.get(args.indexOf("--node-rank") + 1));
      assertNull(wc.getReadinessProbe(), "workers are ready when running");
    }
    // worker selectors of different groups never overlap
    assertFalse(r.get(StatefulSet.class, "g-llm-worker-0").getSpec().getSelector().getMatchLabels()
        .equals(r.get(StatefulSet.class, "g-llm-worker-1").getSpec().getSelector().getMatchLabels()));
  }

  @Test
  void theDeployersVariablesCannotBeSetByTheUser() {
    Component c = multiNode("llm", 2, 1, null);
    Component clash = new Component(c.name(), c.image(), c.cmd(), c.input(), c.output(), c.parameters(), 1,
        c.resources(), List.of(EnvVar.literal("DYNAMO_NODE_RANK", "3")), List.of(), Map.of(), c.multiNode(), null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> K8sRenderer.render(K8sTestGraphs.of("g", clash), Map.of()));
    assertTrue(e.getMessage().contains("DYNAMO_NODE_RANK") && e.getMessage().contains("llm"), e.getMessage());
    // on a single-node component the name is the user's to use
    Component single = new Component("one", IMAGE, c.cmd(), c.input(), c.output(), List.of(), 1, Resources.NONE,
        List.of(EnvVar.literal("DYNAMO_NODE_RANK", "3")), List.of(), Map.of(), MultiNode.SINGLE, null);
    assertEquals("3", Rendered.env(Rendered.container(Rendered.of(K8sTestGraphs.of("g", single))
        .get(Deployment.class, "g-one")), "DYNAMO_NODE_RANK").getValue());
  }

  @Test
  void localhostLeaderAddrContributesOnlyItsPort() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    List<String> args = Rendered.container(r.get(StatefulSet.class, "dynamo-graph-sglang-worker-worker-0")).getArgs();
    assertEquals("dynamo-graph-sglang-worker-leader-0.dynamo-graph-sglang-worker-leader.default.svc:9876",
        args.get(args.size() - 1));
  }

  @Test
  void pinnedLeaderHostIsHonouredAsWritten() {
    Rendered r = Rendered.of(K8sTestGraphs.seed());
    for (String name : List.of("dynamo-graph-trtllm-leader-leader", "dynamo-graph-trtllm-leader-worker-0")) {
      List<String> args = Rendered.container(r.get(StatefulSet.class, name)).getArgs();
      assertEquals("10.217.98.122:5000", args.get(args.size() - 1), name);
    }
    assertTrue(r.rendering().warnings().isEmpty(), "one group pinned to one host is fine");
    Rendering two = K8sRenderer.render(K8sTestGraphs.of("g", multiNode("x", 2, 2, "10.0.0.1:5000")), Map.of());
    assertEquals(1, two.warnings().size());
    assertTrue(two.warnings().get(0).contains("10.0.0.1"), two.warnings().get(0));
  }

  @Test
  void multiNodeWithPortGetsAClientServiceOnTheLeaders() {
    Component base = multiNode("front", 2, 1, null);
    Component http =
        new Component(base.name(), IMAGE, base.cmd(), "http", "dyn", List.of(p("port", "8000", Type.INTEGER)), 1,
            base.resources(), List.of(), List.of(), Map.of(), base.multiNode(), null);
    Rendered r = Rendered.of(K8sTestGraphs.of("g", http));
    Service client = r.get(Service.class, "g-front");
    assertEquals("leader", client.getSpec().getSelector().get(Labels.ROLE));
    assertEquals(8000, client.getSpec().getPorts().get(0).getPort());
    assertEquals(8000, Rendered.container(r.get(StatefulSet.class, "g-front-leader")).getReadinessProbe()
        .getTcpSocket().getPort().getIntVal());
  }

  @Test
  void labelsEverywhereDigestOnlyOnObjectMetadata() {
    Graph graph = K8sTestGraphs.seed();
    String digest = GraphDigest.sha256(graph);
    Rendered r = Rendered.of(graph);
    for (HasMetadata o : r.objects()) {
      Map<String, String> labels = o.getMetadata().getLabels();
      assertEquals("dynamo-deploy", labels.get("app.kubernetes.io/managed-by"));
      assertEquals("dynamo-graph", labels.get("app.kubernetes.io/part-of"));
      assertEquals("dynamo-graph", labels.get(Labels.GRAPH));
      assertTrue(labels.containsKey("app.kubernetes.io/name") && labels.containsKey("app.kubernetes.io/instance")
          && labels.containsKey("app.kubernetes.io/component") && labels.containsKey(Labels.COMPONENT));
      assertEquals(digest, o.getMetadata().getAnnotations().get(Labels.IR_DIGEST));
      if (o instanceof Service) continue;
      var template = Rendered.template(o).getMetadata();
      assertTrue(template.getAnnotations() == null || template.getAnnotations().isEmpty(), "no pod annotations");
      assertFalse(template.getLabels().containsValue(digest));
      Map<String, String> selector =
          o instanceof Deployment d ? d.getSpec().getSelector().getMatchLabels()
              : o instanceof StatefulSet s ? s.getSpec().getSelector().getMatchLabels() : Map.of();
      for (var e : selector.entrySet()) {
        assertEquals(e.getValue(), template.getLabels().get(e.getKey()), "template matches its selector");
      }
    }
  }

  @Test
  void changingAnotherComponentChangesOnlyTheDigestNotThePods() {
    Graph before = K8sTestGraphs.seed();
    List<Component> changed = new ArrayList<>(before.components());
    Component vllm = changed.get(1);
    changed.set(1, new Component(vllm.name(), vllm.image(), vllm.cmd(), vllm.input(), vllm.output(),
        vllm.parameters(), 3, vllm.resources(), vllm.environment(), vllm.secrets(), vllm.nodeSelector(),
        vllm.multiNode(), vllm.readiness()));
    Graph after = new Graph(before.version(), before.name(), changed);

    Deployment a = Rendered.of(before).get(Deployment.class, "dynamo-graph-http-ingress");
    Deployment b = Rendered.of(after).get(Deployment.class, "dynamo-graph-http-ingress");
    assertFalse(a.getMetadata().getAnnotations().equals(b.getMetadata().getAnnotations()), "digest moved");
    assertEquals(a.getSpec(), b.getSpec(), "same pod template and selector, so no rollout of these pods");
  }

  @Test
  void namesFitKubernetesLimitsAndStayUnique() {
    String longGraph = "an_extremely_long_graph_name_that_a_platform_team_might_really_write";
    Component longMulti = multiNode("prefill_worker_with_a_very_long_descriptive_name_a", 2, 12, null);
    Component longMulti2 = multiNode("prefill_worker_with_a_very_long_descriptive_name_b", 2, 12, null);
    Component longSingle = K8sTestGraphs.component("decode_worker_with_an_equally_long_descriptive_name",
        "http", "vllm", List.of(p("port", "8000", Type.INTEGER)));
    Component b = K8sTestGraphs.batchProcessor();
    Component longBatch =
        new Component("offline_batch_scoring_over_the_whole_evaluation_corpus", IMAGE, b.cmd(), b.input(),
            b.output(), b.parameters(), 12, b.resources(), List.of(), List.of(), Map.of(), new MultiNode(16, null, null),
            null);
    Rendered r = Rendered.of(K8sTestGraphs.of(longGraph, longMulti, longMulti2, longSingle, longBatch));
    Map<String, String> seen = new HashMap<>();
    for (HasMetadata o : r.objects()) {
      String name = o.getMetadata().getName();
      int max = o instanceof StatefulSet ? K8sNames.MAX_STATEFULSET : K8sNames.MAX_LABEL;
      assertTrue(name.length() <= max, name + " is " + name.length() + " characters");
      assertTrue(name.matches("[a-z]([-a-z0-9]*[a-z0-9])?"), name);
      assertNull(seen.put(o.getKind() + "/" + name, name), "duplicate " + name);
      for (String value : o.getMetadata().getLabels().values()) {
        assertTrue(value.length() <= 63 && value.matches("[a-z0-9A-Z]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?"), value);
      }
      if (o instanceof StatefulSet s) {
        int lastOrdinal = (s.getSpec().getOrdinals() == null ? 0 : 1) + s.getSpec().getReplicas() - 1;
        assertTrue((name + "-" + lastOrdinal).length() <= 63, "pod names fit a DNS label");
      }
      if (o instanceof Job j && "Indexed".equals(j.getSpec().getCompletionMode())) {
        assertTrue((name + "-" + (j.getSpec().getCompletions() - 1)).length() <= 63, "pod host names fit a label");
      }
    }
    // the same input shortens the same way
    assertEquals(r.names(),
        Rendered.of(K8sTestGraphs.of(longGraph, longMulti, longMulti2, longSingle, longBatch)).names());
    assertEquals(2 * (2 + 1 + 12) + 2 + (1 + 12), r.objects().size());
    String leaderA = K8sNames.of(K8sTestGraphs.of(longGraph, longMulti), longMulti).leader();
    String leaderB = K8sNames.of(K8sTestGraphs.of(longGraph, longMulti2), longMulti2).leader();
    assertFalse(leaderA.equals(leaderB), "names that differ only past the cut still differ");
    assertTrue(leaderA.startsWith("an-extremely-lon-prefill-worker-w-") && leaderA.endsWith("-leader"), leaderA);
    assertEquals("g-llm", K8sNames.of(K8sTestGraphs.of("g", longSingle), multiNode("llm", 2, 1, null)).base(),
        "short names are not touched");
  }

  @Test
  void namesStartWithALetter() {
    Rendered r = Rendered.of(K8sTestGraphs.of("70b_graph", K8sTestGraphs.httpIngress()));
    assertEquals(List.of("Service/g-70b-graph-http-ingress", "Deployment/g-70b-graph-http-ingress"), r.names());
  }

  @Test
  void componentsWithTheSameKubernetesNameAreRefused() {
    Graph g = K8sTestGraphs.of("g", K8sTestGraphs.component("a_b", "text", "echo", List.of()),
        K8sTestGraphs.component("a-b", "text", "echo", List.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> K8sRenderer.render(g, Map.of()));
    assertTrue(e.getMessage().contains("a_b") && e.getMessage().contains("a-b"), e.getMessage());
  }

  @Test
  void aComponentWithoutARealImageIsRefused() {
    for (String image : new String[] {null, "...", "<pre-built-image>"}) {
      Component c = K8sTestGraphs.batchProcessor();
      Component noImage = new Component(c.name(), image, c.cmd(), c.input(), c.output(), c.parameters(), 1,
          c.resources(), List.of(), List.of(), Map.of(), MultiNode.SINGLE, null);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> K8sRenderer.render(K8sTestGraphs.of("g", noImage), Map.of()));
      assertTrue(e.getMessage().contains("batch_processor") && e.getMessage().contains("image"), e.getMessage());
    }
  }

  @Test
  void pullPolicyFollowsTheImageReference() {
    assertEquals("IfNotPresent", PodTemplates.pullPolicy("nvcr.io/nvidia/vllm:0.4.0"));
    assertEquals("IfNotPresent", PodTemplates.pullPolicy("repo/img@sha256:abc"));
    assertEquals("Always", PodTemplates.pullPolicy("repo/img:latest"));
    assertEquals("Always", PodTemplates.pullPolicy("registry:5000/img"));
    assertEquals("Always", PodTemplates.pullPolicy("img"));
  }

  @Test
  void textInputKeepsStdinOpenForAttach() {
    Rendered r = Rendered.of(K8sTestGraphs.of("g", K8sTestGraphs.component("chat", "text", "vllm", List.of()),
        K8sTestGraphs.component("api", "dyn://a.b.c", "vllm", List.of())));
    Container chat = Rendered.container(r.get(Deployment.class, "g-chat"));
    assertTrue(chat.getStdin() && chat.getTty());
    Container api = Rendered.container(r.get(Deployment.class, "g-api"));
    assertNull(api.getStdin());
    assertNull(api.getTty());
  }

  @Test
  void serviceLinksAreOff() {
    for (HasMetadata o : Rendered.of(K8sTestGraphs.seed()).objects()) {
      if (o instanceof Service) continue;
      assertFalse(Rendered.template(o).getSpec().getEnableServiceLinks(), o.getMetadata().getName());
    }
  }

  @Test
  void unknownFieldsWouldBeCaught() {
    RenderedFile bogus = new RenderedFile("x.yaml",
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 1\n  replica: 2\n",
        false);
    assertThrows(org.opentest4j.AssertionFailedError.class, () -> FabricModels.load(bogus));
  }

  static Component multiNode(String name, int numNodes, int replicas, String leaderAddr) {
    return new Component(
        name, IMAGE, Component.DEFAULT_CMD, "dyn://ns.llm.generate", "sglang",
        List.of(p("model_path", "/models/m", Type.STRING)), replicas, new Resources("8", "64Gi", 4), List.of(),
        List.of(), Map.of(), new MultiNode(numNodes, null, leaderAddr), null);
  }

  private static Component withReadiness(Component c, Readiness readiness) {
    return new Component(c.name(), c.image(), c.cmd(), c.input(), c.output(), c.parameters(), c.replicas(),
        c.resources(), c.environment(), c.secrets(), c.nodeSelector(), c.multiNode(), readiness);
  }
}
