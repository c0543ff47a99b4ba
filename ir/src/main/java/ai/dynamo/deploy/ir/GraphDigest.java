package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collection;
import java.util.Map;

/**
 * A stable digest of a normalised graph: the same graph gives the same digest on every machine and run, and on every
 * later version of dynamo-deploy. Used to label rendered objects, to tell "same spec" from "different spec" when a
 * deploy is already running, and in revision records.
 *
 * <p>The canonical form leaves out null properties and empty lists and maps, so a field added to the model later
 * (nullable, or a collection) changes nothing for graphs that do not set it. Empty strings, {@code false} and
 * {@code 0} stay in: they can mean something. No model field gives null and an empty collection different meanings
 * (every collection is non-null, copied in the record's constructor), so leaving both out never merges two specs.
 */
public final class GraphDigest {
  private GraphDigest() {}

  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false)
      .setDefaultPropertyInclusion(JsonInclude.Value.construct(
          JsonInclude.Include.CUSTOM, JsonInclude.Include.USE_DEFAULTS, AbsentValue.class, null));

  /** Hex SHA-256 of the graph's canonical JSON. */
  public static String sha256(Graph graph) {
    return Sha256.hex(canonicalJson(graph));
  }

  /** The first 12 hex digits, for labels and names. */
  public static String short12(Graph graph) {
    return sha256(graph).substring(0, 12);
  }

  /**
   * The canonical JSON: record components in declaration order, lists and maps in user order, null properties and
   * empty lists and maps left out.
   */
  static byte[] canonicalJson(Object value) {
    return json(CANONICAL, value);
  }

  private static final ObjectMapper PREVIOUS =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

  /**
   * The digest as versions before the stable canonical form computed it (nulls and empty collections written out).
   * Exists only so that a deploy started by such a version is still recognised as the same spec on attach; delete
   * it once no deploy started before this change can still be running.
   */
  public static String previousForm(Graph graph) {
    return Sha256.hex(json(PREVIOUS, graph));
  }

  private static byte[] json(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot digest " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Jackson's custom inclusion filter: a property whose value "equals" this filter is left out. Null and empty
   * collections and maps are; everything else (empty strings, false, 0) is written.
   */
  static final class AbsentValue {
    @Override
    public boolean equals(Object value) {
      return value == null
          || value instanceof Collection<?> c && c.isEmpty()
          || value instanceof Map<?, ?> m && m.isEmpty();
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
