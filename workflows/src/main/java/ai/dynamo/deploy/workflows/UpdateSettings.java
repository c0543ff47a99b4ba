package ai.dynamo.deploy.workflows;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.Graph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The target settings of updates, common to every target: {@value #STRATEGY} ({@code auto}, {@code recreate},
 * {@code blue-green}), {@code strategy.<component>} for one component, and {@value #BLUE_GREEN_GRACE_SECONDS} (how
 * long a blue/green copy may stay pending for lack of resources before its component fails). They say how a
 * changed component moves, not what runs, so they are left out of the component digests.
 */
public final class UpdateSettings {
  private UpdateSettings() {}

  public static final String STRATEGY = "strategy";
  public static final String BLUE_GREEN_GRACE_SECONDS = "blueGreenGraceSeconds";
  public static final Duration DEFAULT_BLUE_GREEN_GRACE = Duration.ofMinutes(2);

  /** Whether {@code key} is one of these settings (and so not part of what a component runs). */
  public static boolean isUpdateSetting(String key) {
    return key.equals(STRATEGY) || key.startsWith(STRATEGY + ".") || key.equals(BLUE_GREEN_GRACE_SECONDS);
  }

  /** The settings without these: what the component digests see. */
  public static Map<String, String> withoutUpdateSettings(Map<String, String> settings) {
    Map<String, String> rest = new TreeMap<>(settings);
    rest.keySet().removeIf(UpdateSettings::isUpdateSetting);
    return rest;
  }

  /** The strategy asked for {@code component}: its own setting, else the graph-wide one, else auto. */
  public static UpdateStrategy strategy(Map<String, String> settings, String component) {
    String own = settings.get(STRATEGY + "." + component);
    String value = own != null && !own.isBlank() ? own : settings.get(STRATEGY);
    return value == null || value.isBlank() ? UpdateStrategy.AUTO : UpdateStrategy.parse(value.strip());
  }

  /** Whether the strategy of {@code component} was given for it alone (the reason text says so). */
  public static boolean perComponent(Map<String, String> settings, String component) {
    String own = settings.get(STRATEGY + "." + component);
    return own != null && !own.isBlank();
  }

  public static Duration blueGreenGrace(Map<String, String> settings) {
    String value = settings.get(BLUE_GREEN_GRACE_SECONDS);
    return value == null || value.isBlank() ? DEFAULT_BLUE_GREEN_GRACE : Duration.ofSeconds(Long.parseLong(value.strip()));
  }

  /** Problems with these settings for {@code graph}: bad values, a per-component strategy of an unknown component. */
  public static List<String> problems(Map<String, String> settings, Graph graph) {
    List<String> problems = new ArrayList<>();
    Set<String> names = graph.components().stream().map(Component::name).collect(Collectors.toSet());
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      if (key.equals(STRATEGY) || key.startsWith(STRATEGY + ".")) {
        try {
          UpdateStrategy.parse(e.getValue().strip());
        } catch (IllegalArgumentException bad) {
          problems.add("setting " + key + ": " + bad.getMessage());
        }
        String component = key.equals(STRATEGY) ? null : key.substring(STRATEGY.length() + 1);
        if (component != null && !names.contains(component)) {
          problems.add("setting " + key + ": the graph has no component \"" + component + "\" (components: "
              + String.join(", ", new java.util.TreeSet<>(names)) + ")");
        }
      } else if (key.equals(BLUE_GREEN_GRACE_SECONDS) && !e.getValue().strip().matches("[0-9]{1,7}")) {
        problems.add("setting " + key + " must be a whole number of seconds, not \"" + e.getValue() + "\"");
      }
    }
    return problems;
  }
}
