package ai.dynamo.deploy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** {@code -o table|json|yaml}. JSON and YAML print the same documented document, null fields included. */
enum OutputFormat {
  table,
  json,
  yaml;

  String write(Object document) {
    ObjectMapper mapper =
        this == yaml
            ? new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            : new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      return mapper.writeValueAsString(document).stripTrailing();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
