package ai.dynamo.deploy.workflows;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Publishes a deploy's progress: the {@link ProgressBoard} the {@code progress} query reads, the Markdown the
 * Temporal UI shows as current details, and the {@code DynamoPhase}/{@code DynamoRevision} search attributes
 * (upserted on phase changes, only for keys the client set at start: the server has those registered).
 */
final class ProgressPublisher {
  private final ProgressBoard board;
  private final Set<SearchAttributeKey<?>> searchKeys = new LinkedHashSet<>();

  ProgressPublisher(ProgressBoard board) {
    this.board = board;
  }

  /** A board for the request, every component PENDING; remembers which search attributes the run carries. */
  static ProgressPublisher start(DeployRequest request) {
    ProgressPublisher publisher = new ProgressPublisher(new ProgressBoard(request, now()));
    for (SearchAttributeKey<?> key : DeploySearchAttributes.ALL) {
      if (Workflow.getTypedSearchAttributes().containsKey(key)) publisher.searchKeys.add(key);
    }
    return publisher;
  }

  String graph() {
    return board.graph();
  }

  String target() {
    return board.target();
  }

  Phase phase() {
    return board.phase();
  }

  int revision() {
    return board.revision();
  }

  DeployProgress snapshot() {
    return board.snapshot();
  }

  /** Enters a phase with its message, upserting the search attributes when the phase changes. */
  void enter(Phase phase, String message) {
    enter(phase, message, true);
  }

  /** As {@link #enter(Phase, String)}; {@code refresh} false leaves the UI details to the caller's next refresh. */
  void enter(Phase phase, String message, boolean refresh) {
    boolean changed = board.phase() != phase;
    board.phase(phase, message, now());
    if (changed) upsertSearchAttributes();
    if (refresh) refreshDetails();
  }

  /** The revision this deploy creates, once the preflight knows it. */
  void revision(int revision) {
    board.revision(revision, now());
  }

  ComponentProgress component(String name) {
    return board.component(name);
  }

  /** Moves a component to a phase keeping its counts and message. */
  void component(String name, ComponentPhase phase) {
    board.component(name, phase, now());
  }

  void component(String name, ComponentPhase phase, int ready, int desired, String message) {
    board.component(name, phase, ready, desired, message, now());
  }

  /** The update plan: change labels per component, unchanged ones READY, rows for removed ones. */
  void planned(UpdatePlan plan) {
    board.planned(plan, now());
  }

  boolean isReady(String name) {
    ComponentProgress c = board.component(name);
    return c != null && c.phase() == ComponentPhase.READY;
  }

  /** Names of the components in {@code phase}, in graph order. */
  List<String> componentsIn(ComponentPhase phase) {
    List<String> names = new ArrayList<>();
    for (ComponentProgress c : board.snapshot().components()) {
      if (c.phase() == phase) names.add(c.name());
    }
    return names;
  }

  void refreshDetails() {
    Workflow.setCurrentDetails(board.markdown());
  }

  private void upsertSearchAttributes() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (searchKeys.contains(DeploySearchAttributes.PHASE)) {
      updates.add(DeploySearchAttributes.PHASE.valueSet(board.phase().name()));
    }
    if (searchKeys.contains(DeploySearchAttributes.REVISION) && board.revision() > 0) {
      updates.add(DeploySearchAttributes.REVISION.valueSet((long) board.revision()));
    }
    if (!updates.isEmpty()) Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate[]::new));
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }
}
