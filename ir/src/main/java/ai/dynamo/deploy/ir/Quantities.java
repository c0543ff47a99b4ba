package ai.dynamo.deploy.ir;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of Kubernetes-style CPU and memory quantities, for validation and for non-Kubernetes targets. */
public final class Quantities {
  private Quantities() {}

  private static final Pattern CPU = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m?)");
  private static final Pattern MEMORY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?");

  /** Millicores for {@code 500m}, {@code 10}, {@code 1.5}; -1 when the text is not a CPU quantity. */
  public static long cpuMillis(String text) {
    if (text == null) return -1;
    Matcher m = CPU.matcher(text.trim());
    if (!m.matches()) return -1;
    BigDecimal n = new BigDecimal(m.group(1));
    BigDecimal millis = m.group(2).isEmpty() ? n.movePointRight(3) : n;
    try {
      return millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /** Bytes for {@code 2Gi}, {@code 512Mi}, {@code 16G}, {@code 1000}; -1 when the text is not a memory quantity. */
  public static long memoryBytes(String text) {
    if (text == null) return -1;
    Matcher m = MEMORY.matcher(text.trim());
    if (!m.matches()) return -1;
    BigDecimal n = new BigDecimal(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    long factor =
        switch (unit) {
          case "" -> 1L;
          case "k", "K" -> 1000L;
          case "M" -> 1000L * 1000;
          case "G" -> 1000L * 1000 * 1000;
          case "T" -> 1000L * 1000 * 1000 * 1000;
          case "P" -> 1000L * 1000 * 1000 * 1000 * 1000;
          case "Ki" -> 1L << 10;
          case "Mi" -> 1L << 20;
          case "Gi" -> 1L << 30;
          case "Ti" -> 1L << 40;
          case "Pi" -> 1L << 50;
          default -> throw new IllegalStateException(unit);
        };
    try {
      return n.multiply(BigDecimal.valueOf(factor)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException e) {
      return -1;
    }
  }
}
