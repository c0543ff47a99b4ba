package ai.dynamo.deploy.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.client.archfixture.ClientUsingATarget;
import ai.dynamo.deploy.render.archfixture.RendererReachingOut;
import ai.dynamo.deploy.worker.archfixture.WorkerServingTheFake;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture of docs/architecture.md, enforced over the main classes of every module (this module's test class
 * path holds them all). Each rule also runs against a deliberately bad class, compiled in test scope only, and must
 * reject it: a rule that cannot fail would prove nothing.
 */
class ArchitectureTest {
  /** ir and render are pure: no Temporal, no Kubernetes client, no SSH, no network. */
  static final ArchRule PURE_IR_AND_RENDER =
      noClasses().that().resideInAnyPackage("ai.dynamo.deploy.ir..", "ai.dynamo.deploy.render..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.temporal..", "io.grpc..", "io.fabric8..", "net.schmizz..", "com.hierynomus..", "java.net..")
          .because("the model and the renderers are pure functions: side effects belong to the activities");

  /** No module imports a higher one: each layer may use only those below it. */
  static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("ir").definedBy("ai.dynamo.deploy.ir..")
      .layer("render").definedBy("ai.dynamo.deploy.render..")
      .layer("workflows").definedBy("ai.dynamo.deploy.workflows..")
      .layer("activities-core").definedBy("ai.dynamo.deploy.activities")
      .layer("targets").definedBy("ai.dynamo.deploy.activities.*..")
      .layer("client").definedBy("ai.dynamo.deploy.client..")
      .layer("worker").definedBy("ai.dynamo.deploy.worker..")
      .layer("cli").definedBy("ai.dynamo.deploy.cli..")
      .layer("testing").definedBy("ai.dynamo.deploy.testing..")
      .whereLayer("ir").mayNotAccessAnyLayer()
      .whereLayer("render").mayOnlyAccessLayers("ir")
      .whereLayer("workflows").mayOnlyAccessLayers("ir")
      .whereLayer("activities-core").mayOnlyAccessLayers("workflows", "render", "ir")
      .whereLayer("targets").mayOnlyAccessLayers("activities-core", "workflows", "render", "ir")
      .whereLayer("client").mayOnlyAccessLayers("workflows", "ir")
      .whereLayer("worker").mayOnlyAccessLayers("targets", "activities-core", "workflows", "ir")
      // cli reads the Slurm target's own parser of --ssh-host and the ssh config (activities.slurm), so that the
      // deploy ID names the resolved login node and a bad destination is exit 2 before anything starts; and it reaches
      // the targets itself for what never passes through Temporal: logs (with the user's own credentials)
      .whereLayer("cli").mayOnlyAccessLayers("client", "worker", "targets", "activities-core", "workflows", "render",
          "ir")
      .whereLayer("testing").mayOnlyAccessLayers("activities-core", "workflows", "render", "ir");

  /** The fixtures stay in tests: no main code references them, and no main class outside them is a fake. */
  static final ArchRule NO_FIXTURES_IN_MAIN =
      noClasses().that().resideOutsideOfPackage("ai.dynamo.deploy.testing..")
          .should().dependOnClassesThat().resideInAPackage("ai.dynamo.deploy.testing..")
          .orShould().haveSimpleNameStartingWith("Fake")
          .orShould().haveSimpleNameStartingWith("Mock")
          .because("test fixtures are test scope only and never shipped in dynamo.jar");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("ai.dynamo.deploy");
  }

  @Test
  void theMainClassesOfEveryModuleWereImported() {
    for (String module : List.of("ir.GraphLoader", "render.Renderers", "workflows.DeployWorkflowImpl",
        "activities.DeployActivitiesImpl", "activities.k8s.K8sTarget", "activities.slurm.SlurmTarget",
        "client.DeployStarter", "worker.DeployRegistration", "cli.Main", "testing.fake.FakeTarget")) {
      assertTrue(main.contain("ai.dynamo.deploy." + module), module);
    }
    assertTrue(main.stream().noneMatch(c -> c.getPackageName().contains("archfixture")), "tests left out");
  }

  @Test
  void irAndRenderArePure() {
    PURE_IR_AND_RENDER.check(main);
  }

  @Test
  void noModuleImportsAHigherOne() {
    LAYERS.check(main);
  }

  @Test
  void noMainCodeReferencesTheTestFixtures() {
    NO_FIXTURES_IN_MAIN.check(main);
  }

  @Test
  void eachRuleRejectsADeliberateViolation() {
    AssertionError impure = assertThrows(AssertionError.class,
        () -> PURE_IR_AND_RENDER.check(new ClassFileImporter().importClasses(RendererReachingOut.class)));
    for (String reached : List.of("io.temporal", "io.fabric8", "com.hierynomus", "java.net.Socket")) {
      assertTrue(impure.getMessage().contains(reached), reached + " in " + impure.getMessage());
    }
    AssertionError upward = assertThrows(AssertionError.class, () -> LAYERS.check(
        new ClassFileImporter().importPackages("ai.dynamo.deploy.client.archfixture", "ai.dynamo.deploy.activities.k8s")));
    assertTrue(upward.getMessage().contains(ClientUsingATarget.class.getSimpleName()), upward.getMessage());
    AssertionError fixture = assertThrows(AssertionError.class,
        () -> NO_FIXTURES_IN_MAIN.check(new ClassFileImporter().importClasses(WorkerServingTheFake.class)));
    assertTrue(fixture.getMessage().contains("FakeTarget"), fixture.getMessage());
  }
}
