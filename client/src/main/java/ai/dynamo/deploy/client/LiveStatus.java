package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.DeployRequest;
import ai.dynamo.deploy.workflows.Phase;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code dynamo deploy status}'s live check: a deploy's recorded state says what should run; the target says what
 * does ({@link LiveCheck}). Run only when the recorded run has ended in a state that leaves something running (a
 * running deploy's progress is live already), bounded as a whole, and never in place of the recorded state: a check
 * that fails says why beside it.
 */
public final class LiveStatus {
  /** Recorded endings after which the target's records name a revision that should run (a rollback restores one). */
  static final Set<Phase> CHECKED = EnumSet.of(Phase.READY, Phase.ROLLED_BACK, Phase.FAILED, Phase.TIMED_OUT,
      Phase.CANCELLED);

  /** What the check found, the {@code live} field of {@link DeployStatus.View}. */
  public enum State {
    /** every component of the live revision is ready */
    READY,
    /** a component is not ready, or nothing runs where the deploy recorded READY */
    NOT_READY,
    /** nothing runs, and the recorded ending did not leave anything running (a first install rolled back) */
    NOTHING_LIVE,
    /** the target could not be read: {@code message} says where and why */
    CHECK_FAILED
  }

  /**
   * The {@code live} field of the status document (docs/cli.md); null when not checked ({@code --recorded}, a running
   * deploy, an uninstall).
   *
   * @param state what the check found
   * @param checkedAt when (ISO-8601 UTC)
   * @param endpoint where it was read ({@code kind@location})
   * @param revision the live revision the target records (0: none); null when the check failed
   * @param ready components ready; null when the check failed
   * @param total components of the live revision; null when the check failed
   * @param message one line: what is not ready and why, or why the check failed
   * @param components per component of the live revision
   */
  public record View(State state, String checkedAt, String endpoint, Integer revision, Integer ready, Integer total,
      String message, List<ComponentView> components) {}

  /** One component in {@link View}: its health as the target's check saw it. */
  public record ComponentView(String name, boolean ready, int revision, String health) {}

  private final WorkflowClient client;
  private final LiveCheck check;
  private final Duration bound;
  private final Clock clock;

  /** @param bound how long the whole check may take (each target call has its own, shorter bound as well) */
  public LiveStatus(WorkflowClient client, LiveCheck check, Duration bound, Clock clock) {
    this.client = client;
    this.check = check;
    this.bound = bound;
    this.clock = clock;
  }

  /**
   * Whether the recorded state calls for a live check: the run has ended in a state that leaves something up. A
   * failed first deploy that never applied anything (every component still PENDING, e.g. a failed preflight) has
   * nothing to check.
   */
  public static boolean applies(DeployStatus.View recorded) {
    if (recorded.closedAt() == null || recorded.phase() == null) return false;
    Phase phase = Phase.valueOf(recorded.phase());
    if (!CHECKED.contains(phase)) return false;
    if (phase == Phase.READY || phase == Phase.ROLLED_BACK) return true;
    boolean applied = recorded.components().stream().anyMatch(c -> !"PENDING".equals(c.phase()));
    return applied || recorded.revision() != null && recorded.revision() > 1;
  }

  /** {@code recorded} with the live check's answer when it {@link #applies}, else as it is. */
  public DeployStatus.View addTo(DeployStatus.View recorded) {
    return applies(recorded) ? recorded.withLive(check(recorded)) : recorded;
  }

  View check(DeployStatus.View recorded) {
    String at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    DeployRequest request;
    try {
      request = StartEvents.request(client, recorded.workflowId(), recorded.runId());
    } catch (RuntimeException e) {
      return failed(at, "?", "the deploy's request could not be read from Temporal: " + Causes.firstMessage(e));
    }
    String endpoint = TargetLabels.of(request.target());
    try {
      LiveCheck.Live live = TargetCall.within(bound, "dynamo-live-check",
          () -> check.read(request, recorded.workflowId(), recorded.runId()));
      return judge(Phase.valueOf(recorded.phase()), recorded.revision(), live, at);
    } catch (TimeoutException e) {
      return failed(at, endpoint, endpoint + " did not answer within " + TargetCall.seconds(bound) + " s");
    } catch (ExecutionException e) {
      return failed(at, endpoint, endpoint + ": " + Causes.firstMessage(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(at, endpoint, "interrupted while reading " + endpoint);
    }
  }

  /** The live answer against what the deploy recorded. */
  static View judge(Phase recorded, Integer recordedRevision, LiveCheck.Live live, String at) {
    List<ComponentView> components = live.components().stream()
        .map(c -> new ComponentView(c.name(), c.ready(), c.revision(), c.health())).toList();
    if (live.revision() == 0) {
      return recorded == Phase.READY
          ? new View(State.NOT_READY, at, live.endpoint(), 0, 0, 0, "nothing runs: " + live.endpoint()
              + " records no live revision (uninstalled, or removed outside this deploy)", components)
          : new View(State.NOTHING_LIVE, at, live.endpoint(), 0, 0, 0, "nothing runs at " + live.endpoint(),
              components);
    }
    List<ComponentView> notReady = components.stream().filter(c -> !c.ready()).toList();
    int total = components.size();
    String other = recorded == Phase.READY && recordedRevision != null && recordedRevision != live.revision()
        ? " (this deploy recorded revision " + recordedRevision + ")" : "";
    if (total == 0) {
      return new View(State.READY, at, live.endpoint(), live.revision(), 0, 0, "revision " + live.revision()
          + " is live; the target keeps no per-component health to check" + other, components);
    }
    if (notReady.isEmpty()) {
      return new View(State.READY, at, live.endpoint(), live.revision(), total, total,
          "all " + total + " component(s) of revision " + live.revision() + " ready" + other, components);
    }
    StringBuilder m = new StringBuilder(notReady.size() + " of " + total + " component(s) of revision "
        + live.revision() + " not ready" + other + ": ");
    for (int i = 0; i < notReady.size(); i++) {
      m.append(i == 0 ? "" : "; ").append(notReady.get(i).name()).append(": ").append(notReady.get(i).health());
    }
    return new View(State.NOT_READY, at, live.endpoint(), live.revision(), total - notReady.size(), total,
        m.toString(), components);
  }

  private static View failed(String at, String endpoint, String why) {
    return new View(State.CHECK_FAILED, at, endpoint, null, null, null, "the live check failed: " + why, List.of());
  }
}
