package ai.dynamo.deploy.activities;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.workflows.ChangeKind;
import ai.dynamo.deploy.workflows.ComponentChange;
import ai.dynamo.deploy.workflows.UpdatePlan;
import ai.dynamo.deploy.workflows.UpdateSettings;
import ai.dynamo.deploy.workflows.UpdateStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one planning of an update, used by a deploy ({@code PlanUpdate}) and by {@code dynamo deploy diff}: per
 * component of the graph, compare its digest ({@link ComponentDigests}) with what the live revision runs
 * ({@link DeployTarget#liveRevision}):
 *
 * <ul>
 *   <li>same digest and healthy: {@code unchanged}, adopted into the new revision as it runs;
 *   <li>another digest, or the live copy is unhealthy: {@code update} with a strategy; {@code auto} asks the target
 *       whether a second copy fits beside the old one now ({@link DeployTarget#roomBeside}): blue/green if it does,
 *       recreate otherwise, with the target's reason; a live copy that is not healthy is replaced in place (recreate
 *       under auto: the old copy serves nothing worth keeping);
 *   <li>not live: {@code add}; live but no longer in the graph: {@code remove}.
 * </ul>
 *
 * Read-only: it reads records and asks for capacity, never changes anything.
 */
public final class UpdatePlanner {
  private final DeployTarget target;

  public UpdatePlanner(DeployTarget target) {
    this.target = target;
  }

  public UpdatePlan plan(DeployContext ctx) {
    LiveRevision live = target.liveRevision(ctx);
    Map<String, String> digests = ComponentDigests.of(target, ctx);
    List<ComponentChange> changes = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Component c : ctx.graph().components()) {
      String digest = digests.get(c.name());
      LiveRevision.Component now = live.components().get(c.name());
      if (live.revision() == 0 || (live.perComponent() && now == null)) {
        changes.add(new ComponentChange(c.name(), ChangeKind.ADD, null,
            live.revision() == 0 ? "first install" : "not in revision " + live.revision(), digest, "", 0, ""));
        continue;
      }
      if (now != null && now.digest().equals(digest) && now.healthy()) {
        changes.add(new ComponentChange(c.name(), ChangeKind.UNCHANGED, null,
            "same spec as revision " + now.revision() + ", " + now.health(), digest, now.digest(), now.revision(), ""));
        continue;
      }
      String why;
      if (now == null) {
        why = "the " + target.kind() + " target keeps no per-component records: replaced";
      } else if (!now.digest().equals(digest)) {
        why = now.digest().isEmpty() ? "revision " + now.revision() + " recorded no digest for it" : "spec changed";
      } else {
        why = "the live copy is not healthy (" + now.health() + ")";
        notes.add(c.name() + ": same spec as revision " + now.revision() + " but " + now.health()
            + ", so it is replaced");
      }
      changes.add(strategy(ctx, c, now, digest, why, live.revision()));
    }
    for (Map.Entry<String, LiveRevision.Component> e : live.components().entrySet()) {
      if (digests.containsKey(e.getKey())) continue;
      changes.add(new ComponentChange(e.getKey(), ChangeKind.REMOVE, null,
          "not in the graph any more: deleted once the new revision is ready", "", e.getValue().digest(),
          e.getValue().revision(), ""));
    }
    return new UpdatePlan(live.revision(), changes, notes);
  }

  /** The effective strategy of a changed component, with its reason. */
  private ComponentChange strategy(DeployContext ctx, Component c, LiveRevision.Component now, String digest,
      String why, int liveRevision) {
    UpdateStrategy asked = UpdateSettings.strategy(ctx.settings(), c.name());
    String flag = UpdateSettings.perComponent(ctx.settings(), c.name()) ? "strategy." + c.name() : "--strategy";
    String liveDigest = now == null ? "" : now.digest();
    int from = now == null ? liveRevision : now.revision();
    if (asked != UpdateStrategy.AUTO) {
      return new ComponentChange(c.name(), ChangeKind.UPDATE, asked, why + "; " + flag + " " + asked.label(), digest,
          liveDigest, from, "");
    }
    if (now != null && !now.healthy()) {
      return new ComponentChange(c.name(), ChangeKind.UPDATE, UpdateStrategy.RECREATE,
          why + "; auto: recreate, the old copy serves nothing worth keeping", digest, liveDigest, from, "");
    }
    Room room = target.roomBeside(ctx, c, now);
    UpdateStrategy chosen = room.fits() ? UpdateStrategy.BLUE_GREEN : UpdateStrategy.RECREATE;
    return new ComponentChange(c.name(), ChangeKind.UPDATE, chosen,
        why + "; auto: " + chosen.label() + ", " + room.reason(), digest, liveDigest, from, room.avoid());
  }
}
