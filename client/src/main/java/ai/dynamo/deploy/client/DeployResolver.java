package ai.dynamo.deploy.client;

import ai.dynamo.deploy.workflows.DeployIds;
import ai.dynamo.deploy.workflows.DeploySearchAttributes;
import ai.dynamo.deploy.workflows.TargetLabels;
import ai.dynamo.deploy.workflows.TargetSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds a deploy by what the user typed, for every verb that acts on one: a workflow ID as it is; a graph name with
 * target flags that name its place, at that place; a bare graph name by asking Temporal where that graph is deployed
 * (open and recent closed runs: a {@code DynamoGraph} query where the server has visibility, else the open and closed
 * listings), and acting on it with the settings its newest run was started with ({@link DeployMemo}). Settings
 * given as flags win over the recorded ones, one setting each ({@link SettingsOrigin} says which came from where).
 *
 * <p>A place whose runs never reached their target (they failed or were cancelled before the preflight passed, e.g. a
 * mistyped {@code --ssh-host}) is not a place the graph is deployed in: it counts only when the graph has no other
 * place, so that {@code status} still explains why it failed ({@link PlaceRuns}).
 */
public final class DeployResolver {
  private static final int SCAN = 1000;

  private final WorkflowClient client;

  public DeployResolver(WorkflowClient client) {
    this.client = client;
  }

  /**
   * A place a graph is (or was) deployed: its workflow ID and its newest run.
   *
   * @param memo the newest run's target, location and reach settings
   * @param type {@code deploy} or {@code uninstall}
   * @param status Temporal's status of that run (RUNNING, COMPLETED, ...)
   * @param phase the deploy's phase after that run (READY, PAUSED, ROLLED_BACK, UNINSTALLED, ...), null when unknown
   * @param reached whether any run there got past its preflight (else nothing was ever applied there)
   */
  public record Place(String workflowId, DeployMemo memo, String runId, String type, String status,
      Instant startedAt, String phase, boolean reached) {
    /** {@code kind@location}. */
    public String label() {
      return TargetLabels.of(memo.target());
    }
  }

  /**
   * What the user named.
   *
   * @param name a graph name or a workflow ID ({@code deploy/...})
   * @param place the place the target flags name, or null when they name none (then Temporal is asked)
   * @param kind the {@code --target} given without a place (narrows the search), or null
   * @param overrides settings given as flags: they win over the memo's
   */
  public record Query(String name, TargetSpec place, String kind, Map<String, String> overrides) {
    public Query {
      overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    }
  }

  /**
   * The deploy found.
   *
   * @param workflowId its workflow ID
   * @param target how to reach its target: the memo's settings under the flags'
   * @param known whether Temporal knows a run of it (false: only the flags say where it is)
   * @param origin which settings came from the record and which from the flags
   */
  public record Resolution(String workflowId, TargetSpec target, boolean known, SettingsOrigin origin) {
    /** Found from the flags alone. */
    public Resolution(String workflowId, TargetSpec target, boolean known) {
      this(workflowId, target, known, SettingsOrigin.flagsOnly(target.settings()));
    }

    public String graph() {
      return DeployIds.graphOf(workflowId);
    }
  }

  /** No deploy of the graph is known to Temporal; the CLI says how to name one. */
  public static final class NotFound extends DeployRefusedException {
    public NotFound(String graph) {
      super("no deploy of " + graph + " is known to this Temporal service");
    }
  }

  /** The graph is deployed in several places; the CLI lists them with the flags that pick each. */
  public static final class Ambiguous extends DeployRefusedException {
    private final transient List<Place> places;

    public Ambiguous(String graph, List<Place> places) {
      super(graph + " is deployed in " + places.size() + " places");
      this.places = List.copyOf(places);
    }

    public List<Place> places() {
      return places;
    }
  }

  /**
   * @throws NotFound when a bare name matches no deploy
   * @throws Ambiguous when a bare name matches several places
   */
  public Resolution resolve(Query query) {
    if (query.name().startsWith("deploy/")) {
      Optional<Recorded> memo = newest(query.name());
      DeployMemo where = memo.map(Recorded::memo).orElse(DeployMemo.fromWorkflowId(query.name()));
      return found(query.name(), where.kind(), where.location(), memo, query.overrides());
    }
    if (query.place() != null) {
      String workflowId = DeployIds.workflowId(query.place().kind(), query.place().location(), query.name());
      return found(workflowId, query.place().kind(), query.place().location(), newest(workflowId),
          query.place().settings());
    }
    List<Place> places = PlaceRuns.deployedIn(places(query.name(), query.kind()));
    if (places.isEmpty()) throw new NotFound(query.name());
    if (places.size() > 1) throw new Ambiguous(query.name(), places);
    Place only = places.get(0);
    return found(only.workflowId(), only.memo().kind(), only.memo().location(),
        Optional.of(new Recorded(only.memo(), only.runId())), query.overrides());
  }

  /** The settings the newest run was started with, under the flags'. */
  private static Resolution found(String workflowId, String kind, String location, Optional<Recorded> recorded,
      Map<String, String> flags) {
    Map<String, String> settings = new TreeMap<>(recorded.map(r -> r.memo().settings()).orElse(Map.of()));
    settings.putAll(flags);
    SettingsOrigin origin = recorded
        .map(r -> new SettingsOrigin(r.runId(), r.memo().settings(), flags, r.memo().complete()))
        .orElse(SettingsOrigin.flagsOnly(flags));
    return new Resolution(workflowId, new TargetSpec(kind, location, settings), recorded.isPresent(), origin);
  }

  /** A run's memo and its run ID. */
  private record Recorded(DeployMemo memo, String runId) {}

  /**
   * Every place {@code graph} has runs (of {@code kind}, when given), each with its newest run, newest first; with
   * several, each with its phase and whether any of its runs reached the target (one place is used as it is: neither
   * is asked for).
   */
  public List<Place> places(String graph, String kind) {
    String condition = DeploySearchAttributes.GRAPH.getName() + " = '" + graph.replace("'", "\\'") + "'";
    List<WorkflowExecutionMetadata> runs = new DeployExecutions(client)
        .list(SCAN, condition, run -> DeployIds.graphOf(run.getExecution().getWorkflowId()).equals(graph)).runs();
    Map<String, List<WorkflowExecutionMetadata>> byId = new LinkedHashMap<>();
    for (WorkflowExecutionMetadata run : runs) {
      String id = run.getExecution().getWorkflowId();
      if (DeployIds.graphOf(id).equals(graph)) byId.computeIfAbsent(id, k -> new ArrayList<>()).add(run);
    }
    PlaceRuns reached = new PlaceRuns(new DeployList(client));
    List<Place> places = new ArrayList<>();
    for (Map.Entry<String, List<WorkflowExecutionMetadata>> e : byId.entrySet()) {
      WorkflowExecutionMetadata run = e.getValue().get(0);
      DeployMemo memo = withStartSettings(run, memo(run));
      if (kind != null && !kind.equals(memo.kind())) continue;
      boolean several = byId.size() > 1;
      DeployList.Snapshot newest = several ? reached.snapshot(run) : new DeployList.Snapshot(null, null);
      places.add(new Place(e.getKey(), memo, run.getExecution().getRunId(), run.getWorkflowType(),
          run.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""), run.getStartTime(),
          newest.phase() == null ? null : newest.phase().name(), !several || reached.anyReached(e.getValue(), newest)));
    }
    return places;
  }

  /** A listed run's memo; Temporal's Java test server lists runs without their memo: then the run tells it. */
  private DeployMemo memo(WorkflowExecutionMetadata run) {
    if (run.getMemo(DeployMemo.TARGET, String.class) != null) return DeployMemo.of(run);
    try {
      return DeployMemo.of(client.newUntypedWorkflowStub(run.getExecution().getWorkflowId(),
          Optional.of(run.getExecution().getRunId()), Optional.empty()).describe());
    } catch (RuntimeException e) {
      return DeployMemo.of(run);
    }
  }

  /** The memo of a workflow ID's newest run, or empty when Temporal knows no run of it. */
  private Optional<Recorded> newest(String workflowId) {
    try {
      WorkflowExecutionDescription d = client.newUntypedWorkflowStub(workflowId).describe();
      return Optional.of(new Recorded(withStartSettings(d, DeployMemo.of(d)), d.getExecution().getRunId()));
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * A deploy started before memos kept every setting: its start event has them all (read only when needed). When it
   * cannot be read, the memo stays incomplete and says so ({@link SettingsOrigin#notes}).
   */
  private DeployMemo withStartSettings(WorkflowExecutionMetadata run, DeployMemo memo) {
    if (memo.complete() || !"deploy".equals(run.getWorkflowType())) return memo;
    try {
      TargetSpec started = StartEvents.request(client, run.getExecution().getWorkflowId(),
          run.getExecution().getRunId()).target();
      return DeployMemo.of(started);
    } catch (RuntimeException e) {
      return memo;
    }
  }
}
