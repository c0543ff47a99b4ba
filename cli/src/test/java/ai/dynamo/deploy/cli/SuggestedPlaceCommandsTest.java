package ai.dynamo.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.dynamo.deploy.client.DeployMemo;
import ai.dynamo.deploy.client.DeployResolver;
import ai.dynamo.deploy.workflows.PlaceFlags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The words that pick a place (what the "deployed in N places" error suggests) name every setting that reaches it:
 * parsed back by the verbs' own options (and the decisions', which the paused message suggests with these words),
 * they give the deploy's reach settings exactly. {@code logs} with these flags reads without Temporal, so a dropped
 * {@code --ssh-key} or {@code --known-hosts} would lock it out.
 */
class SuggestedPlaceCommandsTest {
  static final Map<String, String> SLURM_REACH = Map.of("sshHost", "alice@login1:2232", "sshKey",
      "/home/alice/my keys/id_ed25519", "knownHosts", "/home/alice/.ssh/known_hosts.d/it's", "sshConfig",
      "/etc/dynamo/ssh_config", "acceptNewHostKey", "true", "remoteDir", "deploys/llm");

  static DeployResolver.Place place(String kind, String location, Map<String, String> settings) {
    return new DeployResolver.Place("deploy/" + kind + "/" + location + "/g", new DeployMemo(kind, location, settings,
        true), "run", "deploy", "COMPLETED", Instant.EPOCH, "READY", true);
  }

  /** The target settings {@code dynamo deploy <verb> <pick> [more]} gives, parsed by that verb's own options. */
  static Map<String, String> given(Object verb, String pick, String... more) {
    List<String> words = new ArrayList<>(ShellWords.split(pick));
    words.addAll(List.of(more));
    new CommandLine(verb).parseArgs(words.toArray(String[]::new));
    DeployRef ref = verb instanceof DeployLogsCommand l ? l.deploy
        : verb instanceof DeployStatusCommand st ? st.deploy
        : verb instanceof DeployRetryCommand r ? r.deploy
        : verb instanceof DeployRollbackCommand rb ? rb.deploy
        : ((DeployAbortCommand) verb).deploy;
    assertEquals("g", ref.name);
    return new TreeMap<>(ref.target.given());
  }

  /** The words that pick the place, as the resolver's listing (and the paused message) builds them. */
  static String pick(DeployResolver.Place place) {
    return PlaceFlags.pick("g", place.workflowId(), place.memo().target());
  }

  @Test
  void aSlurmPlaceIsPickedWithEveryReachSettingQuotedForTheShell() {
    Map<String, String> settings = new TreeMap<>(SLURM_REACH);
    settings.put("partition", "gpu"); // shapes jobs: not needed to pick or reach the place
    String pick = pick(place("slurm", "alice@login1:2232", settings));
    assertEquals("g --target slurm --ssh-host alice@login1:2232 --ssh-config /etc/dynamo/ssh_config --ssh-key"
        + " '/home/alice/my keys/id_ed25519' --known-hosts '/home/alice/.ssh/known_hosts.d/it'\\''s'"
        + " --accept-new-host-key --remote-dir deploys/llm", pick);
    assertEquals(new TreeMap<>(SLURM_REACH), given(new DeployLogsCommand(), pick, "frontend"));
    assertEquals(new TreeMap<>(SLURM_REACH), given(new DeployStatusCommand(), pick));
    // the paused message's `dynamo deploy retry|rollback|abort <pick>`: each decision takes the same words
    for (Object decision : List.of(new DeployRetryCommand(), new DeployRollbackCommand(), new DeployAbortCommand())) {
      assertEquals(new TreeMap<>(SLURM_REACH), given(decision, pick), decision.getClass().getSimpleName());
    }
  }

  @Test
  void kubernetesAndContributedPlaces() {
    String k8s = pick(place("k8s", "prod/llm", Map.of("namespace", "llm", "context", "prod",
        "serviceAccountName", "sa")));
    assertEquals("g --target k8s -n llm --context prod", k8s);
    assertEquals(Map.of("namespace", "llm", "context", "prod"), given(new DeployLogsCommand(), k8s, "frontend"));
    // a kubeconfig's API server has no flag of its own: the workflow ID picks it (the memo reaches it)
    assertEquals("deploy/k8s/10.0.0.1:6443/llm/g", pick(place("k8s", "10.0.0.1:6443/llm",
        Map.of("namespace", "llm", "server", "https://10.0.0.1:6443"))));
    assertEquals("g --target fake --set location=lab", pick(place("fake", "lab",
        Map.of("location", "lab", "fake.pollMillis", "5"))));
  }
}
