package ai.dynamo.deploy.ir;

/** The kinds of {@code run_config.input} the IR accepts. */
public enum InputKind {
  /** {@code http}: an OpenAI-compatible HTTP front end */
  HTTP,
  /** {@code text}: interactive text, for trying a model by hand */
  TEXT,
  /** {@code dyn://namespace.component.endpoint}: serve an endpoint on the Dynamo runtime */
  DYN,
  /** {@code batch:<path>}: process a file of prompts and exit */
  BATCH;

  /** The kind of an input string, or null when it is none of them (the validator reports that). */
  public static InputKind of(String input) {
    if (input == null) return null;
    if (input.equals("http")) return HTTP;
    if (input.equals("text")) return TEXT;
    if (input.startsWith("dyn://")) return DYN;
    if (input.startsWith("batch:")) return BATCH;
    return null;
  }
}
