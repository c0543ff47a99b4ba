package ai.dynamo.deploy.testing.fake;

import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_COMPONENT;
import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_MESSAGE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_STAGE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.NEVER_READY;
import static ai.dynamo.deploy.testing.fake.FakeTarget.PREFLIGHT_FAILURE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.TRANSIENT_APPLY_FAILURES;

import ai.dynamo.deploy.activities.DeployContext;
import ai.dynamo.deploy.activities.TargetFailure;
import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Names;
import ai.dynamo.deploy.workflows.Stage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the fake target's settings script to go wrong (documented on {@link FakeTarget}): a refused preflight, transient
 * apply errors, a component that fails at a stage with a message, a component that never gets ready. In one place so a
 * test's author finds every failure the fake can play; whether a scripted failure was fixed since
 * ({@code FakeTarget.fix}) is the target's state, so the target asks that itself.
 */
final class FakeFailures {
  /** Applies so far per deploy, component and stage: the first {@code fake.transientApplyFailures} fail. */
  private final Map<String, AtomicInteger> applyAttempts = new ConcurrentHashMap<>();

  /** {@code fake.preflightFailure}: the preflight raises a failure of that type. */
  static void preflight(DeployContext ctx) {
    String failure = ctx.settings().get(PREFLIGHT_FAILURE);
    if (failure != null) {
      throw new TargetFailure(failure, "fake preflight refused: " + failure);
    }
  }

  /** {@code fake.transientApplyFailures}: this apply fails with a transient error (logged to {@code calls}). */
  void apply(DeployContext ctx, String name, Stage stage, List<String> calls) {
    int transientFailures = Integer.parseInt(ctx.setting(TRANSIENT_APPLY_FAILURES, "0"));
    int attempt = applyAttempts.computeIfAbsent(ctx.workflowId() + "/" + name + "/" + stage, k -> new AtomicInteger())
        .incrementAndGet();
    if (attempt <= transientFailures) {
      calls.add("apply-transient-failure " + name + " " + stage);
      throw TargetFailure.transientFailure("fake API unavailable (attempt " + attempt + ")", null);
    }
  }

  /**
   * {@code fake.failComponent} lists the component and {@code fake.failStage} (default {@code await}) is
   * {@code where}: {@code apply}, {@code leader}, {@code workers} or {@code await}.
   */
  static boolean scripted(DeployContext ctx, String name, String where) {
    return listed(ctx, FAIL_COMPONENT, name) && ctx.setting(FAIL_STAGE, "await").equals(where);
  }

  /** The scripted failure's message: {@code fake.failMessage}, else a CrashLoopBackOff of the component's pod. */
  static String message(DeployContext ctx, Component c) {
    return ctx.setting(FAIL_MESSAGE, "pod " + Names.dnsLabel(c.name()) + "-0: CrashLoopBackOff (exit code 1)");
  }

  /** {@code fake.neverReady} lists the component: it stays Pending, for readiness timeouts. */
  static boolean neverReady(DeployContext ctx, String name) {
    return listed(ctx, NEVER_READY, name);
  }

  private static boolean listed(DeployContext ctx, String key, String name) {
    String value = ctx.settings().get(key);
    return value != null && Arrays.stream(value.split(",")).map(String::trim).anyMatch(name::equals);
  }
}
