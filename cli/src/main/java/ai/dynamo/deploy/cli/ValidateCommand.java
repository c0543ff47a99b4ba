package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.ir.Target;
import ai.dynamo.deploy.ir.ValidationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    })
public final class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The graph file (YAML, IR v1).")
  Path file;

  @Option(names = "--target", paramLabel = "k8s|slurm", converter = TargetConverter.class,
      description = "Also run the target's checks (e.g. Kubernetes needs a real image on every component).")
  Target target;

  @Override
  public Integer call() {
    ValidationReport report = ValidationReport.validate(file, target);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    report.problems().forEach(err::println);
    if (report.valid()) {
      out.println(report.summary());
      return ExitCodes.OK;
    }
    err.println(report.summary());
    return ExitCodes.INVALID;
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
