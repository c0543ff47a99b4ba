package ai.dynamo.deploy.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Typed search attributes of a deploy and the memo key. The client sets the attributes at start only when the
 * server has them registered ({@code temporal operator search-attribute create}); the workflow upserts phase and
 * revision only for keys present at start, so deploys work on servers without them.
 */
public final class DeploySearchAttributes {
  private DeploySearchAttributes() {}

  public static final SearchAttributeKey<String> GRAPH = SearchAttributeKey.forKeyword("DynamoGraph");
  public static final SearchAttributeKey<String> TARGET = SearchAttributeKey.forKeyword("DynamoTarget");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("DynamoPhase");
  public static final SearchAttributeKey<Long> REVISION = SearchAttributeKey.forLong("DynamoRevision");

  public static final List<SearchAttributeKey<?>> ALL = List.of(GRAPH, TARGET, PHASE, REVISION);

  /** The names of {@link #ALL}: what to claim when the server cannot say which it has registered. */
  public static final Set<String> NAMES =
      ALL.stream().map(SearchAttributeKey::getName).collect(Collectors.toUnmodifiableSet());

  /** Memo key holding the request's spec digest; used to tell "same spec: attach" from "different: refuse". */
  public static final String MEMO_SPEC_DIGEST = "specDigest";
}
