package ai.dynamo.deploy.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dynamo completion bash|zsh|fish}: a completion script for the shell, from the command model itself. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {
      "Print a shell completion script: bash and zsh from picocli's generator (zsh through bashcompinit),"
          + " fish from this command's own model."
    },
    footerHeading = "%nExample:%n",
    footer = {"  source <(dynamo completion bash)      # or put it in ~/.bashrc; zsh: the same in ~/.zshrc",
        "  dynamo completion fish > ~/.config/fish/completions/dynamo.fish"})
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "The shell: bash, zsh or fish.")
  String shell;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    String script = switch (shell) {
      case "bash" -> AutoComplete.bash("dynamo", root);
      // picocli's script is bash and zsh at once: zsh loads it through bashcompinit
      case "zsh" -> "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
          + AutoComplete.bash("dynamo", root);
      case "fish" -> FishCompletion.script("dynamo", root.getCommandSpec());
      default -> throw new UserError(ExitCodes.INVALID, "error: completion for bash, zsh or fish, not \"" + shell + "\"");
    };
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
