package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A stable digest of a normalised graph: the same graph gives the same digest on every machine and run. Used to
 * label rendered objects, to tell "same spec" from "different spec" when a deploy is already running, and in
 * revision records.
 */
public final class GraphDigest {
  private GraphDigest() {}

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

  /** Hex SHA-256 of the graph's canonical JSON (record components in declaration order, lists in user order). */
  public static String sha256(Graph graph) {
    try {
      return Sha256.hex(CANONICAL.writeValueAsBytes(graph));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot digest graph " + graph.name(), e);
    }
  }

  /** The first 12 hex digits, for labels and names. */
  public static String short12(Graph graph) {
    return sha256(graph).substring(0, 12);
  }
}
