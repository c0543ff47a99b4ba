package ai.dynamo.deploy.workflows;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dynamo.deploy.workflows.archfixture.DrawsRandomNumbers;
import ai.dynamo.deploy.workflows.archfixture.ReadsAFile;
import ai.dynamo.deploy.workflows.archfixture.ReadsTheClock;
import ai.dynamo.deploy.workflows.archfixture.StartsAThread;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Workflow code must replay identically: no file or network I/O, no clock, no randomness, no threads of its own,
 * only the {@code Workflow} API (Workflow.currentTimeMillis, Workflow.await, Async, timers). Every class of this
 * module's main code is workflow code or a contract it uses, so every class is held to it.
 */
class WorkflowDeterminismTest {
  static final String WORKFLOWS = "ai.dynamo.deploy.workflows..";

  static final ArchRule NO_IO = noClasses().that().resideInAPackage(WORKFLOWS)
      .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.nio.channels..",
          "java.net..")
      .because("workflow code does no I/O: activities do");

  static final ArchRule NO_CLOCK = noClasses().that().resideInAPackage(WORKFLOWS)
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethodWhere(DescribedPredicate.describe("now() of java.time",
          (JavaMethodCall call) -> call.getName().equals("now")
              && call.getTargetOwner().getPackageName().equals("java.time")))
      .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class)
      .because("workflow time is Workflow.currentTimeMillis(): the same on every replay");

  static final ArchRule NO_RANDOMNESS = noClasses().that().resideInAPackage(WORKFLOWS)
      .should().dependOnClassesThat().areAssignableTo(Random.class)
      .orShould().callMethod(java.util.UUID.class, "randomUUID")
      .orShould().callMethod(Math.class, "random")
      .because("random values differ on replay (Workflow.randomUUID and Workflow.newRandom do not)");

  static final ArchRule NO_THREADS = noClasses().that().resideInAPackage(WORKFLOWS)
      .should().dependOnClassesThat().areAssignableTo(Thread.class)
      .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
      .because("workflow code runs on the workflow thread: Async and Promise, never threads or executors");

  static final Map<ArchRule, Class<?>> RULE_AND_VIOLATION = Map.of(
      NO_IO, ReadsAFile.class,
      NO_CLOCK, ReadsTheClock.class,
      NO_RANDOMNESS, DrawsRandomNumbers.class,
      NO_THREADS, StartsAThread.class);

  static JavaClasses mainClasses() {
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("ai.dynamo.deploy.workflows");
  }

  @Test
  void workflowCodeIsDeterministic() {
    JavaClasses main = mainClasses();
    assertTrue(main.contain(DeployWorkflowImpl.class) && main.contain(WaveRunner.class), "imported the workflows");
    for (ArchRule rule : RULE_AND_VIOLATION.keySet()) rule.check(main);
  }

  static Stream<Arguments> rulesAndViolations() {
    return RULE_AND_VIOLATION.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  /** Each rule can fail: it rejects a deliberately bad class compiled in test scope only. */
  @ParameterizedTest
  @MethodSource("rulesAndViolations")
  void eachRuleRejectsItsViolation(ArchRule rule, Class<?> violation) {
    JavaClasses bad = new ClassFileImporter().importClasses(violation);
    AssertionError error = assertThrows(AssertionError.class, () -> rule.check(bad));
    assertTrue(error.getMessage().contains(violation.getSimpleName()), error.getMessage());
    for (Class<?> other : Set.copyOf(RULE_AND_VIOLATION.values())) {
      if (other != violation) rule.check(new ClassFileImporter().importClasses(other)); // and nothing else
    }
  }
}
