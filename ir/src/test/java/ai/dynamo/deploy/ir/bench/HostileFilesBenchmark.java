package ai.dynamo.deploy.ir.bench;

import ai.dynamo.deploy.ir.GraphLoader;
import ai.dynamo.deploy.ir.LoadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures how long the loader takes to refuse hostile files (the issue's "within a second"), and to accept the
 * largest graph that fits under the size limit. Not a unit test: run it with ir/bench/run.sh, which prints a
 * Markdown table for BENCHMARKS.md. For each file: the first load in this JVM (cold, includes class loading and
 * JIT warm-up of that path) and the median and max of the following runs.
 */
public final class HostileFilesBenchmark {
  private static final int RUNS = 20;

  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("dynamo-ir-bench");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("oversized (1 MiB + 1 byte of comment)", write(work, "oversized.yaml", "#" + "x".repeat(1024 * 1024) + "\n"));
    files.put("one line of 1 MB (refused: longer than 16 KiB)", write(work, "long-line.yaml", "#" + "x".repeat(1_000_000) + "\n" + validGraph(1)));
    files.put("just under the limit: 1 MB of 16,000-character comment lines",
        write(work, "big-comment.yaml", ("#" + "x".repeat(15_999) + "\n").repeat(62) + validGraph(1)));
    files.put("just under the limit: 3,600 valid components", write(work, "many-components.yaml", validGraph(3600)));
    files.put("3,600 components, every one invalid", write(work, "many-invalid.yaml", invalidGraph(3600)));
    files.put("alias bomb (10^9 leaves if expanded)", write(work, "alias-bomb.yaml", aliasBomb(10)));
    files.put("50 aliases to collections (at the limit)", write(work, "aliases-at-limit.yaml", aliasesAtLimit()));
    files.put("nesting 100,000 deep (1,000 per line)",
        write(work, "deep.yaml", "version: 1\nname: g\ncomponents:\n" + ("  " + "[".repeat(1000) + "\n").repeat(100) + ("  " + "]".repeat(1000) + "\n").repeat(100)));
    files.put("30,000 duplicate keys", write(work, "dup-keys.yaml", duplicateKeys(30_000)));
    files.put("invalid UTF-8 at the end of 1 MB", writeBytes(work, "late-bad-byte.yaml", lateBadByte()));
    files.put("empty file", write(work, "empty.yaml", ""));
    files.put("a directory", Files.createDirectories(work.resolve("dir.yaml")));
    files.put("missing file", work.resolve("missing.yaml"));
    files.put("/dev/zero (never ends)", Path.of("/dev/zero"));
    Path corpus = Path.of(args.length > 0 ? args[0] : "src/test/resources/bad");
    if (Files.isDirectory(corpus)) {
      try (Stream<Path> s = Files.list(corpus)) {
        List<Path> bad = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        files.put("the whole bad corpus (" + bad.size() + " files), per file", null);
        corpusFiles = bad;
      }
    }

    PrintStream out = System.out;
    out.println("| file | size | first load (ms) | median (ms) | max (ms) | outcome |");
    out.println("|---|---:|---:|---:|---:|---|");
    for (Map.Entry<String, Path> e : files.entrySet()) {
      if (e.getValue() == null) {
        corpusRow(out, e.getKey());
        continue;
      }
      Path f = e.getValue();
      long[] ms = new long[RUNS + 1];
      LoadResult r = null;
      for (int i = 0; i <= RUNS; i++) {
        long t0 = System.nanoTime();
        r = GraphLoader.load(f);
        ms[i] = (System.nanoTime() - t0) / 1_000_000;
      }
      long[] warm = Arrays.copyOfRange(ms, 1, ms.length);
      Arrays.sort(warm);
      out.printf("| %s | %s | %d | %d | %d | %s |%n", e.getKey(), size(f), ms[0], warm[warm.length / 2], warm[warm.length - 1], outcome(r));
    }
  }

  private static List<Path> corpusFiles = List.of();

  private static void corpusRow(PrintStream out, String label) {
    List<Long> perFile = new ArrayList<>();
    long first = 0;
    for (int i = 0; i <= RUNS; i++) {
      for (Path p : corpusFiles) {
        long t0 = System.nanoTime();
        GraphLoader.load(p);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (i == 0) first = Math.max(first, ms);
        else perFile.add(ms);
      }
    }
    perFile.sort(null);
    out.printf("| %s | - | %d (slowest) | %d | %d | all refused |%n", label, first, perFile.get(perFile.size() / 2), perFile.get(perFile.size() - 1));
  }

  private static String outcome(LoadResult r) {
    if (r.ok()) return "valid";
    String first = r.errors().get(0).message();
    return r.errors().size() + " error(s): " + (first.length() > 60 ? first.substring(0, 57) + "..." : first);
  }

  private static String size(Path f) {
    try {
      if (!Files.isRegularFile(f)) return "-";
      long b = Files.size(f);
      return b >= 1024 ? (b / 1024) + " KiB" : b + " B";
    } catch (IOException e) {
      return "?";
    }
  }

  private static Path write(Path dir, String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static Path writeBytes(Path dir, String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static String validGraph(int components) {
    StringBuilder s = new StringBuilder("version: 1\nname: big\ncomponents:\n");
    for (int i = 0; i < components; i++) {
      s.append("  - name: worker_").append(i).append("\n    image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0\n")
          .append("    run_config:\n      input: dyn://ns.w").append(i).append(".generate\n      output: vllm\n")
          .append("      tensor_parallel_size: 2\n    resources:\n      gpu: 2\n      memory: 24Gi\n");
    }
    return s.toString();
  }

  private static String invalidGraph(int components) {
    StringBuilder s = new StringBuilder("version: 1\nname: big\ncomponents:\n");
    for (int i = 0; i < components; i++) {
      s.append("  - name: worker_").append(i).append("\n    image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0\n")
          .append("    run_config:\n      input: grpc\n      output: vlm\n")
          .append("      tensor_parallel_size: 2\n    resources:\n      gpu: two\n      memry: 24Gi\n");
    }
    return s.toString();
  }

  private static String aliasBomb(int levels) {
    StringBuilder s = new StringBuilder("version: 1\nname: g\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < levels; i++) {
      s.append("x").append(i).append(": &x").append(i).append(" [");
      for (int j = 0; j < 10; j++) s.append(j == 0 ? "" : ", ").append("*x").append(i - 1);
      s.append("]\n");
    }
    return s.append("components: []\n").toString();
  }

  private static String aliasesAtLimit() {
    StringBuilder s = new StringBuilder("version: 1\nname: g\ncomponents:\n  - name: w0\n    run_config: &rc {input: http, output: dyn}\n");
    for (int i = 1; i <= 50; i++) s.append("  - name: w").append(i).append("\n    run_config: *rc\n");
    return s.toString();
  }

  private static String duplicateKeys(int n) {
    StringBuilder s = new StringBuilder("version: 1\nname: g\ncomponents:\n  - name: w\n    run_config: {input: http, output: dyn}\n    parameters:\n");
    for (int i = 0; i < n; i++) s.append("      port: ").append(i).append('\n');
    return s.toString();
  }

  private static byte[] lateBadByte() {
    byte[] head = (("#" + "x".repeat(9_999) + "\n").repeat(100) + "name: ").getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + 2);
    all[head.length] = (byte) 0xC3; // a lead byte without its continuation
    all[head.length + 1] = '\n';
    return all;
  }

  private HostileFilesBenchmark() {}
}
