package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.ir.ValidationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dynamo validate -f FILE [--target k8s|slurm]}: checks a graph file without deploying anything. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a graph file without deploying anything.",
      "Every problem is printed on its own line as file:line:column: field: message; a valid graph gets a one-line"
          + " summary (name, components, total GPUs).",
      "Exit codes: 0 valid (warnings allowed), 2 invalid."
    },
    footerHeading = "%nExample:%n", footer = "  dynamo validate -f graph.yaml --target k8s -o json")
public final class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The graph file (YAML, IR v1).")
  Path file;

  @Option(names = "--target", paramLabel = "k8s|slurm", converter = TargetConverter.class,
      description = "Also run the target's checks (e.g. Kubernetes needs a real image on every component).")
  Target target;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default): one line per problem; json or yaml: one document with every problem's file, line, column, path and message.")
  OutputFormat output;

  @Override
  public Integer call() {
    LoadResult result = GraphLoader.load(file, target);
    ValidationReport report = ValidationReport.of(result, target);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> notes = notes(result, target);
    if (output != OutputFormat.table) {
      Map<String, Object> doc = document(file, target, result, report);
      doc.put("notes", notes);
      out.println(output.write(doc));
      return report.valid() ? ExitCodes.OK : ExitCodes.INVALID;
    }
    report.problems().forEach(err::println);
    if (report.valid()) {
      notes.forEach(n -> err.println("note: " + n));
      out.println(report.summary());
      return ExitCodes.OK;
    }
    err.println(report.summary());
    return ExitCodes.INVALID;
  }

  /**
   * What depends on a target setting that validate cannot see (it takes none): on Slurm, images are used only with
   * {@code --container pyxis}. Not a problem of the file, so no line and column: a note.
   */
  static List<String> notes(LoadResult result, Target target) {
    if (target != Target.SLURM || !result.ok()) return List.of();
    String unused = ai.dynamo.deploy.render.slurm.SlurmRenderer.imagesUnused(result.graph());
    return unused == null ? List.of() : List.of(unused);
  }

  /**
   * The stable {@code -o json} document: {@code file}, {@code target} (null without), {@code valid}, {@code summary},
   * and {@code problems}, each {@code {severity, file, line, column, path, message}} (line and column 0 when the
   * problem is about the whole file).
   */
  static Map<String, Object> document(Path file, Target target, LoadResult result, ValidationReport report) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("file", file.toString());
    doc.put("target", target == null ? null : target.cliName());
    doc.put("valid", report.valid());
    doc.put("summary", report.summary());
    doc.put("problems", result.problems().stream().map(p -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("severity", p.severity().name());
      m.put("file", p.file());
      m.put("line", p.line());
      m.put("column", p.column());
      m.put("path", p.path());
      m.put("message", p.message());
      return m;
    }).toList());
    return doc;
  }

  /** {@code --target k8s|slurm}; anything else is a usage error that lists the valid names. */
  public static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
    @Override
    public Target convert(String value) {
      try {
        return Target.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
