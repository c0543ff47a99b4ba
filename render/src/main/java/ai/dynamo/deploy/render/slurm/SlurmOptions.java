package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.TargetSettingKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The target settings the Slurm renderer uses, checked. Each becomes an {@code #SBATCH} line, so a value must
 * not be able to start a new line of the script; the patterns below refuse that and anything Slurm would not
 * accept anyway.
 *
 * @param partition {@code --partition}, or null
 * @param account {@code --account}, or null
 * @param time {@code --time}, or null
 * @param extraLines extra {@code #SBATCH} options, one per element, each starting with {@code -}
 * @param pyxis whether processes run in the component's image through pyxis ({@code srun --container-image})
 */
record SlurmOptions(String partition, String account, String time, List<String> extraLines, boolean pyxis) {

  private static final Pattern NAME_LIST = Pattern.compile("[A-Za-z0-9_.,:+-]+");
  private static final Pattern TIME = Pattern.compile("[0-9]+([-:][0-9]+){0,3}|UNLIMITED|INFINITE");
  private static final Pattern EXTRA = Pattern.compile("-[^\\p{Cntrl}]*");

  static SlurmOptions from(Map<String, String> settings) {
    String partition = checked(settings, TargetSettingKeys.SLURM_PARTITION, NAME_LIST, "a partition name list");
    String account = checked(settings, TargetSettingKeys.SLURM_ACCOUNT, NAME_LIST, "an account name");
    String time = checked(settings, TargetSettingKeys.SLURM_TIME, TIME, "a Slurm time such as 04:00:00 or 2-00:00:00");
    List<String> extra = new ArrayList<>();
    String extraText = settings.get(TargetSettingKeys.SLURM_SBATCH_EXTRA);
    if (extraText != null) {
      for (String raw : extraText.split("\r?\n", -1)) {
        String line = raw.strip();
        if (line.startsWith("#SBATCH")) line = line.substring("#SBATCH".length()).strip();
        if (line.isEmpty()) continue;
        if (!EXTRA.matcher(line).matches()) {
          throw new IllegalArgumentException("setting " + TargetSettingKeys.SLURM_SBATCH_EXTRA + ": line \""
              + printable(line) + "\" is not an sbatch option (expected one option per line, such as --qos=high)");
        }
        extra.add(line);
      }
    }
    String container = settings.getOrDefault(TargetSettingKeys.SLURM_CONTAINER, "none");
    boolean pyxis =
        switch (container) {
          case "none", "" -> false;
          case "pyxis" -> true;
          default -> throw new IllegalArgumentException(
              "setting " + TargetSettingKeys.SLURM_CONTAINER + ": \"" + printable(container)
                  + "\" is not a container runtime (valid: none, pyxis)");
        };
    return new SlurmOptions(partition, account, time, extra, pyxis);
  }

  private static String checked(Map<String, String> settings, String key, Pattern pattern, String what) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) return null;
    value = value.strip();
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("setting " + key + ": \"" + printable(value) + "\" is not " + what);
    }
    return value;
  }

  /** Control characters shown escaped, so an error message stays one line. */
  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) out.append(String.format("\\u%04x", c));
      else out.appendCodePoint(c);
    });
    return out.toString();
  }
}
