package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * An environment variable: either a literal value or a reference to a secret. A reference is written
 * {@code ${{ secrets.NAME }}} as the whole value; it stays a reference all the way to the target, the value
 * itself is never read by the IR, the renderers or the workflow.
 *
 * @param name variable name
 * @param value literal value, or null when {@link #secretRef} is set
 * @param secretRef the referenced secret's name ({@code HF_TOKEN}), or null for a literal
 */
public record EnvVar(String name, String value, String secretRef) {
  public static EnvVar literal(String name, String value) {
    return new EnvVar(name, value, null);
  }

  public static EnvVar secret(String name, String secretRef) {
    return new EnvVar(name, null, secretRef);
  }

  @JsonIgnore // derived, not part of the serialised IR
  public boolean isSecret() {
    return secretRef != null;
  }
}
