package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Readiness;
import ai.dynamo.deploy.ir.ShellQuote;

/**
 * The parts of a job's script that push its state to the deployer instead of being polled (docs/slurm.md: status
 * file): {@code dyn_state} appends one line per state change to {@code <job dir>/status}, a watcher checks the
 * readiness rule on the node (every 0.1 s until it holds, then every 0.5 s), and {@code dyn_await_file} wakes a held
 * job on its {@code start} file and a group on {@code start-workers}.
 *
 * <p>A status line is {@code <UTC time with ms> <job id> <state>[ <detail>]}; the states are {@code started},
 * {@code ready}, {@code unready}, {@code workers-started}, {@code exited <status>} and {@code failed <message>};
 * a held job first says {@code held}.
 * The file is only appended to, so a job re-submitted into the same directory adds lines under its own job ID.
 */
final class JobStatusScript {
  private JobStatusScript() {}

  /** The file name, in the job's directory. */
  static final String STATUS_FILE = "status";

  static final String STATE_HELPER =
      """
      # One line per state change, which the deployer follows (docs/slurm.md: status file). Appends only. The time
      # (UTC, ms) comes from bash 5's EPOCHREALTIME without a process; an older bash runs date.
      dyn_state() {
        local dyn_t=${EPOCHREALTIME:-}
        dyn_t=${dyn_t//[!0-9]/}
        if (( ${#dyn_t} > 6 )); then
          TZ=UTC0 printf '%(%Y-%m-%dT%H:%M:%S)T.%sZ %s %s\\n' "${dyn_t:0:${#dyn_t}-6}" "${dyn_t:${#dyn_t}-6:3}" \\
            "${SLURM_JOB_ID:-0}" "$*" >>"$DYN_STATUS_FILE"
        else
          printf '%s %s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "${SLURM_JOB_ID:-0}" "$*" >>"$DYN_STATUS_FILE"
        fi
      }
      """;

  /**
   * The watcher of one rule (TCP or HTTP), probing {@code $DYN_PROBE_HOST}; started by {@link #START_WATCHER}. A check
   * forks nothing: bash's {@code /dev/tcp} redirection on a builtin ({@code :}, or a group command for HTTP) opens
   * and closes the socket in the watcher's own shell, and the pause is a timed read. So checking often costs only
   * a connect attempt, which matters where many watchers share a node (the local test cluster: one host for all).
   */
  static String watcher(Readiness rule) {
    StringBuilder s = new StringBuilder();
    s.append("# The readiness rule (").append(describe(rule)).append("), checked on the node itself: every 0.1 s until")
        .append(" it holds, then every 0.5 s.\n");
    String socket = "3<>\"/dev/tcp/$DYN_PROBE_HOST/" + rule.port() + "\"";
    if (rule.type() == Readiness.Type.HTTP) {
      String path = rule.path() == null || rule.path().isBlank() ? "/" : rule.path();
      s.append("dyn_ready() {\n");
      s.append("  local dyn_line dyn_rest dyn_n=0\n");
      s.append("  { printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' ")
          .append(ShellQuote.quote(path)).append(" \"$DYN_PROBE_HOST\" >&3\n");
      s.append("    IFS= read -r -t 2 dyn_line <&3 || return 1\n");
      // The rest of the answer is read too, until the server closes (at most 16 MiB, 2 s per 64 KiB): a probe that
      // hangs up after the status line makes the server's next write fail, and many servers log that reset for
      // every probe (every 0.5 s for the job's life).
      s.append("    while (( dyn_n++ < 256 )) && IFS= read -r -t 2 -N 65536 dyn_rest <&3; do :; done\n");
      s.append("    [[ \"$dyn_line\" == HTTP/*' '[23]* ]]\n");
      s.append("  } ").append(socket).append("\n");
      s.append("} 2>/dev/null\n");
    } else {
      s.append("dyn_ready() { : ").append(socket).append("; } 2>/dev/null\n");
    }
    s.append(WATCH_LOOP);
    return s.toString();
  }

  static String describe(Readiness rule) {
    return switch (rule.type()) {
      case TCP -> "tcp port " + rule.port();
      case HTTP -> "http port " + rule.port() + " path " + (rule.path() == null ? "/" : rule.path());
      case RUNNING -> "running";
    };
  }

  /**
   * Quick (0.1 s) while the rule does not hold, since the port opening is what the deploy waits for; 0.5 s once it
   * holds. The pause is a read with a timeout on a pipe nobody writes to (no sleep process).
   */
  private static final String WATCH_LOOP =
      """
      dyn_watch() {
        local was="" now dyn_pause dyn_tick dyn_x
        exec {dyn_tick}<> <(:)
        while kill -0 "$DYN_SHELL_PID" 2>/dev/null; do
          if dyn_ready; then now=ready dyn_pause=0.5; else now=unready dyn_pause=0.1; fi
          if [[ "$now" != "$was" ]]; then dyn_state "$now"; was="$now"; fi
          read -r -t "$dyn_pause" -u "$dyn_tick" dyn_x
        done
      }
      """;

  /** Starts the watcher apart from the job's processes (a grandchild: `wait -n` sees only them); it ends with the job. */
  static final String START_WATCHER =
      """
      DYN_SHELL_PID=$$
      ( dyn_watch </dev/null >/dev/null 2>&1 & )
      """;

  /**
   * Waits until file {@code $1} exists, woken by the file rather than by a sleep loop: {@code tail -F} on it feeds a
   * read bounded to 1 s. The tail follows the status file too, which exists by then (each caller wrote a status line
   * first): GNU tail uses inotify only when one of its files exists (on a local file system; it polls every
   * {@code -s} on a network one, or when none exists), and a status line merely wakes the loop once more. The rest
   * of the arguments, when given, are a check run before each read (a group's leader still running): when it fails,
   * the wait ends with status 1. Used by {@link #WAIT_FOR_START} and {@link #WAIT_FOR_START_WORKERS}.
   */
  static final String AWAIT_FILE_HELPER =
      """
      # Waits until file $1 exists: tail -F wakes the read below when it appears (it follows the status file too, as
      # GNU tail uses inotify only when one of its files exists). The rest of the arguments, when given, are a check
      # run at least once a second; when it fails, the wait ends with status 1.
      dyn_await_file() {
        local dyn_file="$1" dyn_fd dyn_tail_pid dyn_line dyn_rc=0
        shift
        exec {dyn_fd}< <(exec tail -F -s 0.1 -n 0 -- "$DYN_STATUS_FILE" "$dyn_file" 2>/dev/null)
        dyn_tail_pid=$!
        while [[ ! -e "$dyn_file" ]]; do
          if (( $# > 0 )) && ! "$@" 2>/dev/null; then dyn_rc=1; break; fi
          read -r -t 1 -u "$dyn_fd" dyn_line || (( $? > 128 )) || sleep 1
        done
        kill "$dyn_tail_pid" 2>/dev/null
        wait "$dyn_tail_pid" 2>/dev/null
        exec {dyn_fd}<&-
        return "$dyn_rc"
      }
      """;

  /**
   * The held start: a deploy may submit a job before the components it needs are ready, with a {@code hold} file in
   * its directory (docs/slurm-target.md "Held starts"); the job then waits ({@link #AWAIT_FILE_HELPER}), before
   * anything else, until the deploy writes {@code start} there. A job submitted by hand has no hold file and starts
   * at once.
   */
  static final String WAIT_FOR_START =
      """

      # Held start: a deploy that submitted this job early (a hold file in its directory) writes start there once
      # the components it needs are ready.
      if [[ -e "$DYN_JOB_DIR/hold" && ! -e "$DYN_JOB_DIR/start" ]]; then
        dyn_log "held: waiting for $DYN_JOB_DIR/start"
        dyn_state held "until the deploy starts it"
        dyn_await_file "$DYN_JOB_DIR/start"
        dyn_log "started by the deploy"
      fi
      """;

  /**
   * The worker-start hook: the deploy workflow creates start-workers once the leader is ready. The wait
   * ({@link #AWAIT_FILE_HELPER}) checks every tick that the leader still runs, so a leader that ended first fails the
   * job instead of leaving it waiting.
   */
  static final String WAIT_FOR_START_WORKERS =
      """
      # Worker-start hook: the deploy workflow creates start-workers in the job's directory once the leader is
      # ready. DYNAMO_START_WORKERS=now starts the workers at once.
      if [[ "${DYNAMO_START_WORKERS:-}" != now ]]; then
        dyn_log "waiting for $DYN_JOB_DIR/start-workers"
        if ! dyn_await_file "$DYN_JOB_DIR/start-workers" kill -0 "${DYN_PIDS[0]}"; then
          wait "${DYN_PIDS[0]}"
          dyn_status=$?
          dyn_fail "leader exited with status $dyn_status before the workers started"
        fi
      fi
      """;
}
