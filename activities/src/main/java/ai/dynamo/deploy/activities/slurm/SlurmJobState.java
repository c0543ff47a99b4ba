package ai.dynamo.deploy.activities.slurm;

import java.util.Locale;

/**
 * Every Slurm job state the target can see, mapped in this one place to what it means for a deploy. Names are
 * Slurm's long state names as printed by {@code squeue %T} and {@code scontrol show job} ({@code JobState=}).
 */
public enum SlurmJobState {
  PENDING(Category.WAITING, "waiting for resources or priority"),
  CONFIGURING(Category.WAITING, "nodes are being configured"),
  REQUEUED(Category.WAITING, "requeued"),
  REQUEUE_HOLD(Category.WAITING, "requeued and held"),
  REQUEUE_FED(Category.WAITING, "requeued by the federation"),
  RESV_DEL_HOLD(Category.WAITING, "held: its reservation was deleted"),
  RESIZING(Category.WAITING, "being resized"),
  SUSPENDED(Category.WAITING, "suspended"),
  STOPPED(Category.WAITING, "stopped (SIGSTOP)"),
  SIGNALING(Category.RUNNING, "being signalled"),
  STAGE_OUT(Category.ENDING, "staging out"),
  RUNNING(Category.RUNNING, "running"),
  COMPLETING(Category.ENDING, "ending"),
  COMPLETED(Category.COMPLETED, "completed"),
  FAILED(Category.FAILED, "failed (non-zero exit)"),
  CANCELLED(Category.FAILED, "cancelled"),
  TIMEOUT(Category.FAILED, "reached its time limit"),
  NODE_FAIL(Category.FAILED, "a node failed"),
  PREEMPTED(Category.FAILED, "preempted"),
  OUT_OF_MEMORY(Category.FAILED, "ran out of memory"),
  BOOT_FAIL(Category.FAILED, "a node failed to boot"),
  DEADLINE(Category.FAILED, "missed its deadline"),
  SPECIAL_EXIT(Category.FAILED, "ended with a special exit"),
  REVOKED(Category.FAILED, "revoked by the federation"),
  /** a state this table does not know: keep waiting, show it */
  UNKNOWN(Category.WAITING, "in an unknown state");

  /** What a state means for readiness and cancellation. */
  public enum Category {
    /** not started yet (or paused): keep waiting */
    WAITING,
    /** processes run: a service may be ready */
    RUNNING,
    /** on its way out: a service will not be ready; a batch job is about to finish */
    ENDING,
    /** ended with exit 0: done for a batch job, a failure for a service */
    COMPLETED,
    /** ended badly */
    FAILED
  }

  private final Category category;
  private final String meaning;

  SlurmJobState(Category category, String meaning) {
    this.category = category;
    this.meaning = meaning;
  }

  public Category category() {
    return category;
  }

  public String meaning() {
    return meaning;
  }

  /** True once the job has ended and will not run again by itself. */
  public boolean ended() {
    return category == Category.COMPLETED || category == Category.FAILED;
  }

  /** Parses {@code RUNNING}, {@code CANCELLED+} or {@code CANCELLED by 1000} style text. */
  public static SlurmJobState parse(String text) {
    if (text == null || text.isBlank()) return UNKNOWN;
    String t = text.strip().toUpperCase(Locale.ROOT);
    int cut = t.indexOf(' ');
    if (cut > 0) t = t.substring(0, cut);
    if (t.endsWith("+")) t = t.substring(0, t.length() - 1);
    try {
      return valueOf(t);
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }
}
