package ai.dynamo.deploy.testing.fake;

import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_COMPONENT;
import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_MESSAGE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.FAIL_STAGE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.NEVER_READY;
import static ai.dynamo.deploy.testing.fake.FakeTarget.POLL_MILLIS;
import static ai.dynamo.deploy.testing.fake.FakeTarget.PREFLIGHT_FAILURE;
import static ai.dynamo.deploy.testing.fake.FakeTarget.PREFLIGHT_SECONDS;
import static ai.dynamo.deploy.testing.fake.FakeTarget.READY_AFTER_SECONDS;
import static ai.dynamo.deploy.testing.fake.FakeTarget.STARTS_HELD;
import static ai.dynamo.deploy.testing.fake.FakeTarget.TRANSIENT_APPLY_FAILURES;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The fake target's scripting settings ({@code fake.*}, documented on {@link FakeTarget}) and their checks. */
final class FakeSettings {
  private FakeSettings() {}

  static final Set<String> SETTINGS = Set.of(READY_AFTER_SECONDS, FAIL_COMPONENT, FAIL_STAGE, FAIL_MESSAGE,
      NEVER_READY, PREFLIGHT_FAILURE, TRANSIENT_APPLY_FAILURES, POLL_MILLIS, PREFLIGHT_SECONDS, STARTS_HELD);

  private static final Set<String> WHOLE_NUMBERS =
      Set.of(READY_AFTER_SECONDS, TRANSIENT_APPLY_FAILURES, POLL_MILLIS, PREFLIGHT_SECONDS);

  /** Unknown {@code fake.*} keys, and numbers that are not whole numbers. */
  static List<String> problems(Map<String, String> settings) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      boolean perComponent = key.startsWith(READY_AFTER_SECONDS + ".");
      if (key.startsWith("fake.") && !SETTINGS.contains(key) && !perComponent) problems.add("unknown setting " + key);
      boolean whole = perComponent || WHOLE_NUMBERS.contains(key);
      if (whole && !e.getValue().matches("[0-9]+")) problems.add(key + " must be a whole number, not " + e.getValue());
    }
    return problems;
  }
}
