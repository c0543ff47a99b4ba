package ai.dynamo.deploy.activities.slurm;

import ai.dynamo.deploy.ir.Component;
import ai.dynamo.deploy.ir.EnvVar;
import ai.dynamo.deploy.ir.Graph;
import ai.dynamo.deploy.render.RenderedFile;
import ai.dynamo.deploy.render.Renderers;
import ai.dynamo.deploy.render.Rendering;
import ai.dynamo.deploy.render.slurm.SlurmNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies several components of one deploy in ONE remote command (docs/slurm-target.md "What one apply runs"): the
 * program {@code submit-batch.sh} gets the rendered scripts, the spec digests and the secrets on its stdin, looks up
 * every job of the batch in one {@code squeue} (none when no revision of the batch was applied before: no job can
 * exist then), answers "current" for a component that already runs this very spec
 * (the isCurrent check, in the same round trip), writes the files unless every component is current (0600/0700,
 * secrets renamed into place) and submits with {@code sbatch} only the jobs this deploy does not have yet, recording
 * each job ID. Running it again is harmless: it finds what the first run submitted (a retry after a lost answer
 * submits nothing twice). Secret values travel only on stdin: never on a command line, in a log line or in an
 * error.
 */
final class BatchSubmitter {
  private static final Logger log = LoggerFactory.getLogger(BatchSubmitter.class);
  static final String PROGRAM = program();
  private static final Pattern JOB_ID = Pattern.compile("[0-9]+(_[0-9]+)?");
  private static final Pattern NODE_LIST = Pattern.compile("[A-Za-z0-9_.,\\[\\]-]+");
  /** The program's answers that carry a job ID. */
  private static final Set<String> ANSWERS = Set.of("current", "adopted", "submitted");

  /**
   * One component to submit: its revision, the nodes its jobs must avoid (empty for none), and whether its jobs are
   * submitted held (they start once a later apply of the component releases them; docs/slurm-target.md "Held
   * starts"). Any apply that is not held releases the component's held jobs.
   */
  record Apply(int revision, Component component, String exclude, boolean held) {
    Apply(int revision, Component component, String exclude) {
      this(revision, component, exclude, false);
    }
  }

  /**
   * A replica's job and whether the deploy had it already (adopted) rather than submitting it now; {@code replaced}:
   * the stale job of this revision it replaces (one that ran another spec, left by a lost run; cancelled), or "";
   * {@code released}: this apply released the job's held start.
   */
  record Job(String id, boolean adopted, String replaced, boolean released) {
    Job(String id, boolean adopted) {
      this(id, adopted, "", false);
    }

    Job(String id, boolean adopted, String replaced) {
      this(id, adopted, replaced, false);
    }
  }

  /**
   * Per component: its jobs in replica order, or why it failed (a {@link SlurmError}, the others unaffected);
   * {@code current}: it already ran this spec as this revision, every job live ({@code DeployTarget.isCurrent}).
   */
  record Result(List<Job> jobs, SlurmError failure, boolean current) {}

  /**
   * The program's answer for one job: its kind ("current", "adopted", "submitted", "refused") and the job ID or
   * sbatch's refusal; from lines of their own, the stale job it replaced ("" for none) and whether it was released.
   */
  private record Answer(String kind, String idOrMessage, String replaced, boolean released) {
    Answer replacing(String old) {
      return new Answer(kind, idOrMessage, old, released);
    }

    Answer releasing() {
      return new Answer(kind, idOrMessage, replaced, true);
    }
  }

  private final RemoteShell shell;
  private final SecretSource secrets;
  private final String where;

  /** @param where the login node, for messages ({@link SshEndpoint#display()}) */
  BatchSubmitter(RemoteShell shell, SecretSource secrets, String where) {
    this.shell = shell;
    this.secrets = secrets;
    this.where = where;
  }

  /**
   * Writes and submits {@code applies} of {@code graph} (one deploy run: {@code workflowId}, {@code runId}).
   *
   * @return one result per apply, in order
   * @throws SlurmError when the whole batch failed (the login node, squeue); nothing was submitted then
   */
  List<Result> submit(Graph graph, Map<String, String> settings, RemoteLayout layout, String workflowId,
      String runId, String specDigest, List<Apply> applies) throws IOException {
    Request request = new Request(layout);
    Map<Integer, SlurmError> failed = new HashMap<>();
    Rendering rendering = Renderers.render(graph, "slurm", settings);
    Map<String, byte[]> secretFiles = new TreeMap<>();
    List<String> jobNames = new ArrayList<>();
    for (int i = 0; i < applies.size(); i++) {
      Apply a = applies.get(i);
      try {
        secretFiles.putAll(secretsOf(a.component(), layout));
      } catch (SlurmError e) {
        failed.put(i, e); // this component only: the others go ahead
        continue;
      }
      request.component(i, layout.specDigestFile(a.revision(), a.component().name()));
      String revDir = layout.revisionDir(a.revision());
      for (RenderedFile f : rendering.files()) {
        if (!RevisionUploader.belongsTo(f, a.component())) continue;
        String path = revDir + "/" + f.relativePath();
        request.file(i, path, f.executable() ? 0700 : 0600, f.content().getBytes(StandardCharsets.UTF_8));
      }
      // Which spec this revision's jobs run, for isCurrent (a revision number is reused after a rollback).
      request.file(i, layout.specDigestFile(a.revision(), a.component().name()), 0600,
          specDigest.getBytes(StandardCharsets.UTF_8));
      JobIdentity identity = new JobIdentity(a.revision(), workflowId, runId);
      if (!a.exclude().isEmpty() && !NODE_LIST.matcher(a.exclude()).matches()) {
        throw new IllegalArgumentException("unexpected node list: \"" + a.exclude() + "\"");
      }
      for (int r = 0; r < a.component().replicas(); r++) {
        String name = SlurmNames.jobName(graph, a.component().name(), r);
        request.job(jobNames.size(), name, a.revision(), revDir, layout.script(a.component().name(), r),
            layout.jobIdFile(a.revision(), a.component().name(), r), identity.comment(),
            a.exclude().isEmpty() ? "-" : a.exclude(), layout.secretsDir(), i,
            layout.jobDir(a.revision(), a.component().name(), r), a.held());
        jobNames.add(name);
      }
    }
    secretFiles.forEach(request::secret);
    JobIdentity whose = new JobIdentity(0, workflowId, runId);
    Map<Integer, Answer> answers = jobNames.isEmpty() ? Map.of() // every component failed before the login node
        : run(request.control(whose, specDigest), request.archive(), layout);
    return results(applies, failed, answers, jobNames);
  }

  /** Runs the program; its answer per job index. */
  private Map<Integer, Answer> run(String control, byte[] stdin, RemoteLayout layout) throws IOException {
    String command = "sh -c " + Shell.quote(PROGRAM) + " dynamo-submit " + Shell.quote(layout.graphDir()) + " "
        + Shell.quote(control);
    // Safe to run again after a dropped connection: it finds the jobs the lost run submitted (and waits for it).
    RemoteShell.Result r = shell.run(command, stdin, RemoteShell.Retry.SAFE);
    Map<Integer, Answer> answers = new HashMap<>();
    Map<Integer, String> replaced = new HashMap<>();
    Set<Integer> released = new HashSet<>();
    for (String line : r.stdout().split("\n")) {
      String[] f = line.split("\t", 3);
      if (f[0].equals("released") && f.length == 2 && f[1].matches("[0-9]+")) {
        released.add(Integer.parseInt(f[1]));
        continue;
      }
      if (f[0].equals("replaced") && f.length == 3 && f[1].matches("[0-9]+")) {
        replaced.put(Integer.parseInt(f[1]), f[2].strip());
        continue;
      }
      if (f[0].equals("error") && f.length >= 2) {
        throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "apply on " + where + ": " + line.substring(6).strip());
      }
      if (f.length == 3 && f[1].matches("[0-9]+")) {
        answers.put(Integer.parseInt(f[1]), new Answer(f[0], f[2], "", false));
      }
    }
    if (!r.ok() && answers.isEmpty()) {
      throw new SlurmError(SlurmError.Kind.COMMAND_FAILED, "apply on " + where + " ended with exit status "
          + r.exit() + ": " + r.stderr().strip());
    }
    replaced.forEach((i, old) -> answers.computeIfPresent(i, (k, a) -> a.replacing(old)));
    released.forEach(i -> answers.computeIfPresent(i, (k, a) -> a.releasing()));
    return answers;
  }

  private List<Result> results(List<Apply> applies, Map<Integer, SlurmError> failed, Map<Integer, Answer> answers,
      List<String> jobNames) {
    List<Result> results = new ArrayList<>();
    int index = 0;
    int submitted = 0;
    int adopted = 0;
    int current = 0;
    for (int i = 0; i < applies.size(); i++) {
      if (failed.containsKey(i)) {
        results.add(new Result(List.of(), failed.get(i), false));
        continue;
      }
      List<Job> jobs = new ArrayList<>();
      SlurmError failure = null;
      boolean allCurrent = true;
      for (int r = 0; r < applies.get(i).component().replicas(); r++, index++) {
        Answer a = answers.get(index);
        String name = jobNames.get(index);
        if (a == null) {
          failure = new SlurmError(SlurmError.Kind.COMMAND_FAILED, "apply on " + where + " gave no answer for job "
              + name + " (the connection or the program ended early)");
        } else if (a.kind().equals("refused")) {
          failure = new SlurmError(SlurmError.Kind.SUBMIT_REFUSED, "sbatch on " + where + " refused job " + name
              + ": " + a.idOrMessage().strip());
        } else if (JOB_ID.matcher(a.idOrMessage()).matches() && ANSWERS.contains(a.kind())) {
          String id = a.idOrMessage();
          if (!a.replaced().isEmpty()) {
            log.info("apply on {}: job {} of revision {} ran another spec (left by a deploy run that was lost):"
                + " cancelled, replaced by job {}", where, a.replaced(), applies.get(i).revision(), id);
          }
          boolean newJob = a.kind().equals("submitted");
          boolean release = a.released() && !newJob; // a replaced held job was not started
          jobs.add(new Job(id, !newJob, a.replaced(), release));
          // A job just released starts now: it is not "already running" however current its spec is.
          allCurrent &= a.kind().equals("current") && !release;
          if (a.kind().equals("current")) current++;
          else if (a.kind().equals("adopted")) adopted++;
          else submitted++;
        } else {
          failure = new SlurmError(SlurmError.Kind.COMMAND_FAILED, "apply on " + where
              + " gave an unexpected answer for job " + name + ": " + a.kind());
        }
      }
      results.add(new Result(failure == null ? jobs : List.of(), failure, failure == null && allCurrent));
    }
    log.info("applied {} component(s) on {} in one command: {} job(s) submitted, {} adopted, {} already current",
        applies.size(), where, submitted, adopted, current);
    return results;
  }

  /** Path -> value of every secret file the component's jobs read; a missing value fails this component only. */
  private Map<String, byte[]> secretsOf(Component c, RemoteLayout layout) throws IOException {
    List<String> singles = c.environment().stream().filter(EnvVar::isSecret).map(EnvVar::secretRef).toList();
    return RevisionUploader.secretFiles(secrets, layout, singles, c.secrets());
  }

  /** The program's stdin: the control lines (no secret in them), then a tar archive of the files. */
  private static final class Request {
    private final String graphDir;
    private final String stage = ".submit-" + UUID.randomUUID();
    private final List<String> dirs = new ArrayList<>();
    private final StringBuilder secrets = new StringBuilder();
    private final StringBuilder jobs = new StringBuilder();
    private final StringBuilder components = new StringBuilder();
    private final TarStream files = new TarStream();

    Request(RemoteLayout layout) {
      this.graphDir = layout.graphDir();
    }

    /** A directory the batch writes in (created with its parents, 0700: the program's umask). */
    void dir(String path) {
      if (!dirs.contains(path)) dirs.add(field(path));
    }

    /**
     * A file of component {@code component} written in place by tar, which creates its directories (0700: the
     * umask). Scripts and digests of a revision are rewritten only by a retry, with the same content; nothing reads
     * them while it runs. Listed, so that the files of a component found current are left as they are.
     */
    void file(int component, String path, int mode, byte[] content) {
      String member = inGraphDir(path);
      files.add(member, mode, content);
      components.append("file\t").append(component).append('\t').append(field(member)).append('\n');
    }

    /** A secret: staged, then renamed over the old file, so a job starting meanwhile reads a whole value. */
    void secret(String path, byte[] value) {
      dir(path.substring(0, path.lastIndexOf('/')));
      String staged = stage + "/s" + secrets.length();
      files.add(staged, 0600, value);
      secrets.append("secret\t").append(field(staged)).append('\t').append(field(path)).append('\n');
    }

    /** A component of the batch and its spec-digest file, read before anything is written (is it current?). */
    void component(int component, String specDigestFile) {
      components.append("comp\t").append(component).append('\t').append(field(specDigestFile)).append('\n');
    }

    void job(int index, String name, int revision, String revDir, String script, String jobIdFile, String comment,
        String exclude, String secretsDir, int component, String jobDir, boolean held) {
      StringJoiner j = new StringJoiner("\t", "", "\n");
      for (String v : List.of("job", Integer.toString(index), name, Integer.toString(revision), revDir, script,
          jobIdFile, comment, exclude, secretsDir, jobDir, held ? "held" : "start", Integer.toString(component))) {
        j.add(field(v));
      }
      jobs.append(j);
    }

    /** The request lines (the program's second argument). */
    String control(JobIdentity whose, String specDigest) {
      StringBuilder ctl = new StringBuilder();
      ctl.append("identity\t").append(field(whose.workflowId())).append('\t').append(field(whose.runId()))
          .append('\n');
      ctl.append("states\t").append(states(true)).append('\t').append(states(false)).append('\n');
      ctl.append("spec\t").append(field(specDigest)).append('\n').append(components);
      dirs.forEach(d -> ctl.append("dir\t").append(d).append('\n'));
      if (secrets.length() > 0) ctl.append("stage\t").append(stage).append('\n');
      return ctl.append(secrets).append(jobs).toString();
    }

    /** The files (the program's stdin). */
    byte[] archive() {
      return files.bytes();
    }

    private String inGraphDir(String path) {
      if (!path.startsWith(graphDir + "/")) throw new IllegalArgumentException(path + " is not in " + graphDir);
      return path.substring(graphDir.length() + 1);
    }

    /** The ended states (true) or the failed ones, from the one table of job states ({@link SlurmJobState}). */
    private static String states(boolean ended) {
      return Arrays.stream(SlurmJobState.values())
          .filter(s -> ended ? s.ended() : s.category() == SlurmJobState.Category.FAILED)
          .map(Enum::name).collect(Collectors.joining(" "));
    }

    /** A control field: a tab or line break in it would shift the fields (paths are checked by RemoteLayout). */
    private static String field(String value) {
      if (value.isEmpty() || value.chars().anyMatch(ch -> ch == '\t' || ch == '\n' || ch == '\r')) {
        throw new IllegalArgumentException("a value sent to the login node is empty or has a tab or line break: \""
            + value + "\"");
      }
      return value;
    }
  }

  private static String program() {
    try (InputStream in = BatchSubmitter.class.getResourceAsStream("submit-batch.sh")) {
      if (in == null) throw new IllegalStateException("submit-batch.sh is missing from the class path");
      // Without its comments: the program travels on every apply's command line.
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.stripLeading().startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
