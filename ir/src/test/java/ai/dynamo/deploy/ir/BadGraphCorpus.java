package ai.dynamo.deploy.ir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The corpus of bad graph files under src/test/resources/bad: each {@code NAME.yaml} (a file, or for one case a
 * directory) has a sibling {@code NAME.expected} with the exact problems, one formatted line each (file name without
 * directory), preceded by optional directives:
 *
 * <pre>
 * # target: k8s                          load with this target (default: none)
 * # schema: not expressible: REASON      the JSON Schema cannot state this rule; only the validator is checked
 * </pre>
 */
record BadGraphCorpus(String name, Path file, Target target, String schemaExemption, List<String> expected) {

  static final Path DIR = Path.of("src/test/resources/bad");

  static Stream<BadGraphCorpus> all() {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().map(BadGraphCorpus::of).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BadGraphCorpus of(Path file) {
    String name = file.getFileName().toString();
    Path expectedFile = file.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + ".expected");
    Target target = null;
    String exemption = null;
    List<String> expected = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(expectedFile, StandardCharsets.UTF_8)) {
        if (line.startsWith("# target: ")) target = Target.parse(line.substring("# target: ".length()));
        else if (line.startsWith("# schema: not expressible: ")) exemption = line.substring("# schema: not expressible: ".length());
        else if (line.startsWith("#")) throw new IllegalArgumentException(expectedFile + ": unknown directive " + line);
        else if (!line.isBlank()) expected.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("missing " + expectedFile, e);
    }
    return new BadGraphCorpus(name, file, target, exemption, expected);
  }

  /** Problems as the loader formats them, with the directory taken off the file name. */
  List<String> actual() {
    String prefix = DIR + java.io.File.separator;
    return GraphLoader.load(file, target).problems().stream().map(p -> p.format().replace(prefix, "")).toList();
  }

  boolean schemaExpressible() {
    return schemaExemption == null;
  }

  @Override
  public String toString() {
    return name;
  }
}
