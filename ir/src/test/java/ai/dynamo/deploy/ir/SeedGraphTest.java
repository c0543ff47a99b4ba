package ai.dynamo.deploy.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The design note's example exactly as written, from ../shared/seed next to the repository, when that file exists
 * (it is not part of the repository, so the test is skipped elsewhere).
 */
class SeedGraphTest {
  private static Path seed;

  @BeforeAll
  static void findSeed() {
    seed = ExampleGraphs.repositoryRoot().resolve("../shared/seed/my-graph-config.yaml").normalize();
  }

  private static LoadResult load(Target target) {
    assumeTrue(seed != null && Files.isRegularFile(seed), "the seed graph ../shared/seed/my-graph-config.yaml is not here");
    return GraphLoader.load(seed, target);
  }

  @Test
  void validWithoutATarget() {
    LoadResult r = load(null);
    assertTrue(r.ok(), r.problems()::toString);
    assertEquals(5, r.graph().components().size());
  }

  @Test
  void validForSlurmWhereImagesAreOptional() {
    LoadResult r = load(Target.SLURM);
    assertTrue(r.ok(), r.problems()::toString);
  }

  @Test
  void kubernetesNamesExactlyTheComponentsWithoutARealImage() {
    LoadResult r = load(Target.K8S);
    assertTrue(!r.ok());
    List<String> paths = r.errors().stream().map(Problem::path).toList();
    assertEquals(List.of("components[0].image", "components[1].image", "components[2].image", "components[3].image",
        "components[4].image"), paths);
    List<String> messages = r.errors().stream().map(Problem::message).toList();
    assertEquals(List.of(
        "component \"http_ingress\" has the placeholder image \"<pre-built-image>\"; Kubernetes needs a pullable container image",
        "component \"vllm_worker\" has the placeholder image \"...\"; Kubernetes needs a pullable container image",
        "component \"sglang_worker\" has the placeholder image \"...\"; Kubernetes needs a pullable container image",
        "component \"batch_processor\" has no image; Kubernetes needs a pullable container image",
        "component \"trtllm_leader\" has no image; Kubernetes needs a pullable container image"), messages);
  }
}
