package ai.dynamo.deploy.render.slurm;

import ai.dynamo.deploy.ir.Readiness;

/**
 * The parts of a job's script that push its state to the deployer instead of being polled (docs/slurm.md: status
 * file): {@code dyn_state} appends one line per state change to {@code <job dir>/status}, a watcher checks the
 * readiness rule on the node every 0.5 s, and a group waiting for {@code start-workers} wakes on the file.
 *
 * <p>A status line is {@code <UTC time with ms> <job id> <state>[ <detail>]}; the states are {@code started},
 * {@code ready}, {@code unready}, {@code workers-started}, {@code exited <status>} and {@code failed <message>}.
 * The file is only appended to, so a job re-submitted into the same directory adds lines under its own job ID.
 */
final class JobStatusScript {
  private JobStatusScript() {}

  /** The file name, in the job's directory. */
  static final String STATUS_FILE = "status";

  static final String STATE_HELPER =
      """
      # One line per state change, which the deployer follows (docs/slurm.md: status file). Appends only.
      dyn_state() { printf '%s %s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "${SLURM_JOB_ID:-0}" "$*" >>"$DYN_STATUS_FILE"; }
      """;

  /** The watcher of one rule (TCP or HTTP), probing {@code $DYN_PROBE_HOST}; started by {@link #START_WATCHER}. */
  static String watcher(Readiness rule) {
    StringBuilder s = new StringBuilder();
    s.append("# The readiness rule (").append(describe(rule)).append("), checked on the node itself every 0.5 s.\n");
    if (rule.type() == Readiness.Type.HTTP) {
      String path = rule.path() == null || rule.path().isBlank() ? "/" : rule.path();
      s.append("dyn_ready() {\n");
      s.append("  local line\n");
      s.append("  line=\"$(timeout 2 bash -c ").append(ShellQuote.quote(HTTP_GET)).append(" dyn-probe \"$DYN_PROBE_HOST\" ")
          .append(rule.port()).append(' ').append(ShellQuote.quote(path)).append(" 2>/dev/null)\"\n");
      s.append("  case \"$line\" in HTTP/*' '[23]*) return 0 ;; *) return 1 ;; esac\n");
      s.append("}\n");
    } else {
      s.append("dyn_ready() { timeout 2 bash -c ").append(ShellQuote.quote(TCP_CONNECT))
          .append(" dyn-probe \"$DYN_PROBE_HOST\" ").append(rule.port()).append(" 2>/dev/null; }\n");
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

  private static final String TCP_CONNECT = "exec 3<>/dev/tcp/\"$1\"/\"$2\"";
  private static final String HTTP_GET = TCP_CONNECT
      + " && printf \"GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n\" \"$3\" \"$1\" >&3 && head -n 1 <&3";

  private static final String WATCH_LOOP =
      """
      dyn_watch() {
        local was="" now
        while kill -0 "$DYN_SHELL_PID" 2>/dev/null; do
          if dyn_ready; then now=ready; else now=unready; fi
          if [[ "$now" != "$was" ]]; then dyn_state "$now"; was="$now"; fi
          sleep 0.5
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
   * The worker-start hook: the deploy workflow creates start-workers once the leader is ready. {@code tail -F}
   * wakes the bounded read as soon as the file appears (inotify where the file system has it, else every 0.2 s);
   * the bound lets the loop notice a leader that ended first.
   */
  static final String WAIT_FOR_START_WORKERS =
      """
      # Worker-start hook: the deploy workflow creates start-workers in the job's directory once the leader is
      # ready; tail -F wakes the read below when it appears. DYNAMO_START_WORKERS=now starts the workers at once.
      if [[ "${DYNAMO_START_WORKERS:-}" != now ]]; then
        dyn_log "waiting for $DYN_JOB_DIR/start-workers"
        exec {dyn_fd}< <(exec tail -F -s 0.2 -n +1 -- "$DYN_JOB_DIR/start-workers" 2>/dev/null)
        dyn_tail_pid=$!
        while [[ ! -e "$DYN_JOB_DIR/start-workers" ]]; do
          if ! kill -0 "${DYN_PIDS[0]}" 2>/dev/null; then
            kill "$dyn_tail_pid" 2>/dev/null
            wait "${DYN_PIDS[0]}"
            dyn_status=$?
            dyn_fail "leader exited with status $dyn_status before the workers started"
          fi
          read -r -t 1 -u "$dyn_fd" dyn_line || (( $? > 128 )) || sleep 1
        done
        kill "$dyn_tail_pid" 2>/dev/null
        wait "$dyn_tail_pid" 2>/dev/null
        exec {dyn_fd}<&-
      fi
      """;
}
