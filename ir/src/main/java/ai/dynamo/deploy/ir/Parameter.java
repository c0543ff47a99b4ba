package ai.dynamo.deploy.ir;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One engine parameter: a key and a scalar value, kept as the text the user wrote plus its YAML type, so that
 * rendering reproduces it exactly ({@code 0.90} stays {@code 0.90}).
 *
 * @param key the key as written ({@code tensor_parallel_size})
 * @param value the scalar's text ({@code "2"}, {@code "true"}, {@code "meta-llama/Llama-3"})
 * @param type the YAML type the value resolved to
 */
public record Parameter(String key, String value, Type type) {

  /** YAML scalar types a parameter may have; collections are not parameters. */
  public enum Type {
    STRING,
    INTEGER,
    FLOAT,
    BOOLEAN
  }

  @JsonIgnore // derived, not part of the serialised IR
  public boolean isTrue() {
    return type == Type.BOOLEAN && Boolean.parseBoolean(value);
  }

  @JsonIgnore // derived, not part of the serialised IR
  public boolean isFalse() {
    return type == Type.BOOLEAN && !Boolean.parseBoolean(value);
  }
}
