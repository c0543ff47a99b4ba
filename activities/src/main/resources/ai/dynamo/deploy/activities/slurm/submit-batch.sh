# dynamo-deploy's apply on the login node (docs/slurm-target.md "What one apply runs"): one run checks which of a
# wave's components already run this very spec, writes the files of the others and submits their jobs. Run as:
# sh -c "<this program>" dynamo-submit <graph dir> <request>.
# The request (no secret in it) is lines of TAB-separated fields:
#   identity <workflow id> <run id>
#   states <ended states, space separated> <failed states>
#   spec <spec digest>                         (what the request deploys)
#   comp <component index> <spec-digest file>  (which spec its revision's jobs run, once written)
#   file <component index> <path in the graph dir>  (the component's files in the archive)
#   dir <path>                                 (created 0700: where secrets go)
#   stage <directory in the graph dir>         (where the archive puts secrets; removed at the end)
#   secret <path in the graph dir> <path>      (renamed into place: replaced atomically)
#   job <index> <name> <revision> <revision dir> <script> <job-id file> <comment> <exclude or -> <secrets dir>
#       <job dir> <held|start> <component index>
# stdin is a tar archive of the files (paths relative to the graph dir): file contents, secrets among them, never
# appear on a command line. The answer is one line per job: "current|adopted|submitted <TAB> <index> <TAB> <job id>"
# or "refused <TAB> <index> <TAB> <sbatch's message>"; or "error <TAB> <message>" for the whole batch (then nothing
# was submitted). "current": the component's spec-digest file holds this spec and every one of its jobs is live (a
# retried deploy resumes: DeployTarget.isCurrent's rule): its files are left as they are, and when every component
# is current nothing is written.
# Held starts (docs/slurm-target.md): a "held" job is submitted with a hold file in its job directory, and its script
# waits for a start file there. A "start" line releases it (start written, hold removed; the answer then has a
# line "released <TAB> <index>" before the job's), first thing; one that submits a new job removes any hold left.
set -u
umask 077
dyn_g=$1
dyn_ctl=$2
dyn_tab=$(printf '\t')
dyn_fail() {
  printf 'error\t%s\n' "$*"
  exit 3
}
if [ ! -d "$dyn_g" ]; then
  mkdir -p -- "$dyn_g" && chmod 700 -- "$dyn_g" || dyn_fail "cannot create $dyn_g"
fi
cd -- "$dyn_g" || dyn_fail "cannot enter $dyn_g"
dyn_tmp="$dyn_g/.submit.$$"
dyn_stage=
trap 'rm -rf -- "$dyn_tmp" ${dyn_stage:+"$dyn_g/$dyn_stage"}' EXIT
mkdir -- "$dyn_tmp" || dyn_fail "cannot write in $dyn_g"

# One submitter per graph at a time (where flock exists): a retried run waits for the one whose answer was lost,
# then finds its jobs below instead of submitting again.
if command -v flock > /dev/null 2>&1; then
  exec 9>> "$dyn_g/.submit.lock"
  flock -w 100 9 || dyn_fail "another apply of this graph holds $dyn_g/.submit.lock"
fi

# Before anything is written: which components' revisions already run this spec (their spec-digest files).
dyn_wf= dyn_run= dyn_ended= dyn_failed= dyn_names= dyn_want= dyn_spec= dyn_same= dyn_comps= dyn_comp_of= dyn_seen=
while IFS=$dyn_tab read -r dyn_kind dyn_a dyn_b dyn_c dyn_rest; do
  case $dyn_kind in
    identity) dyn_wf=$dyn_a dyn_run=$dyn_b ;;
    states) dyn_ended=$dyn_a dyn_failed=$dyn_b ;;
    spec) dyn_spec=$dyn_a ;;
    comp)
      dyn_comps="$dyn_comps $dyn_a" dyn_d=
      [ -e "$dyn_b" ] && dyn_seen=yes && IFS= read -r dyn_d < "$dyn_b"
      [ -n "$dyn_spec" ] && [ "$dyn_d" = "$dyn_spec" ] && dyn_same="$dyn_same $dyn_a" ;;
    job) dyn_names="$dyn_names,$dyn_b" dyn_want="$dyn_want $dyn_b=$dyn_c" dyn_comp_of="$dyn_comp_of $dyn_b=${dyn_rest##*$dyn_tab}" ;;
  esac
done <<EOF
$dyn_ctl
EOF
[ -n "$dyn_names" ] || exit 0

# Held jobs of this apply start first, before the squeue below: the apply of their wave means "start now" (the
# deploy waited for the components they need). A held job that has ended meanwhile is replaced below, not held.
while IFS=$dyn_tab read -r dyn_kind dyn_i dyn_name dyn_rev dyn_dir dyn_script dyn_idfile dyn_comment dyn_exclude \
    dyn_secrets dyn_jobdir dyn_start dyn_ci; do
  [ "$dyn_kind" = job ] && [ "$dyn_start" = start ] && [ -e "$dyn_jobdir/hold" ] || continue
  printf 'start\n' > "$dyn_jobdir/start" && rm -f -- "$dyn_jobdir/hold" && printf 'released\t%s\n' "$dyn_i"
done <<EOF
$dyn_ctl
EOF

# The jobs this deploy already has (JobSubmitter.find's rule): same workflow and revision in the comment; live, or
# ended without failing in this very run. The newest per name. Values reach awk through its environment (-v would
# interpret backslashes). No squeue when none of the batch's revisions has a spec-digest file yet: every apply writes
# it before its first sbatch, so no such job can exist (a first install spares slurmctld a query and itself ~0.1 s).
dyn_sq=
if [ -n "$dyn_seen" ]; then
  dyn_sq=$(squeue --noheader --states=all --name="${dyn_names#,}" --format='%i|%j|%T|%k' 2> "$dyn_tmp/err") \
    || dyn_fail "squeue failed: $(tr '\n\t' '  ' < "$dyn_tmp/err")"
fi
dyn_found=$(printf '%s\n' "$dyn_sq" | DYN_WF=$dyn_wf DYN_RUN=$dyn_run DYN_ENDED=$dyn_ended DYN_FAILED=$dyn_failed \
  DYN_WANT=$dyn_want DYN_COMP_OF=$dyn_comp_of DYN_SAME=$dyn_same awk -F'|' '
  BEGIN {
    wf = ENVIRON["DYN_WF"]; run = ENVIRON["DYN_RUN"]
    n = split(ENVIRON["DYN_ENDED"], a, " "); for (i = 1; i <= n; i++) E[a[i]] = 1
    n = split(ENVIRON["DYN_FAILED"], a, " "); for (i = 1; i <= n; i++) F[a[i]] = 1
    n = split(ENVIRON["DYN_WANT"], a, " ")
    for (i = 1; i <= n; i++) { eq = index(a[i], "="); W[substr(a[i], 1, eq - 1)] = substr(a[i], eq + 1) }
  }
  NF >= 4 {
    name = $2
    if (!(name in W)) next
    comment = $0; sub(/^[^|]*\|[^|]*\|[^|]*\|/, "", comment)
    nt = split(comment, t, " ")
    if (t[1] != "dynamo-deploy") next
    rev = ""; jwf = ""; jrun = ""
    for (i = 2; i <= nt; i++) {
      if (t[i] ~ /^rev=/) rev = substr(t[i], 5)
      else if (t[i] ~ /^wf=/) jwf = substr(t[i], 4)
      else if (t[i] ~ /^run=/) jrun = substr(t[i], 5)
    }
    if (rev != W[name] || jwf != wf) next
    st = toupper($3); sub(/ .*/, "", st); sub(/\+$/, "", st)
    if ((st in E) && !(jrun == run && !(st in F))) next
    id = $1; gsub(/ /, "", id); num = id; sub(/_.*/, "", num)
    if (!(name in best) || num + 0 > top[name]) { best[name] = id; top[name] = num + 0; live[name] = !(st in E) }
  }
  END {
    n = split(ENVIRON["DYN_COMP_OF"], a, " ")
    for (i = 1; i <= n; i++) { eq = index(a[i], "="); C[substr(a[i], 1, eq - 1)] = substr(a[i], eq + 1) }
    n = split(ENVIRON["DYN_SAME"], a, " "); for (i = 1; i <= n; i++) S[a[i]] = 1
    # A live job whose component this revision last applied with another spec (a run that was lost, then a
    # different file deployed as the same revision number) runs other files: it is stale, never adopted.
    for (name in best) {
      if (live[name] && !(C[name] in S)) print "stale", name, best[name]
      else print name, best[name]
    }
    # A component is current when its digest matched and the job picked for each of its names is live.
    for (name in C) if (!(name in best) || !live[name]) delete S[C[name]]
    for (c in S) print "current", c
  }') || dyn_fail "awk failed on squeue's answer"

# Stale jobs are cancelled; their replacements are submitted once they have ended (a fixed port is theirs until
# then), waiting at most 20 s.
dyn_stale= dyn_stale_names= dyn_stale_left=
while read -r dyn_fn dyn_fa dyn_fb; do
  [ "$dyn_fn" = stale ] && dyn_stale="$dyn_stale,$dyn_fb" dyn_stale_names="$dyn_stale_names $dyn_fa=$dyn_fb "
done <<EOF
$dyn_found
EOF
if [ -n "$dyn_stale" ]; then
  scancel $(printf '%s' "${dyn_stale#,}" | tr ',' ' ') 2> "$dyn_tmp/err" \
    || dyn_fail "scancel of stale job(s) ${dyn_stale#,} failed: $(tr '\n\t' '  ' < "$dyn_tmp/err")"
  dyn_waited=0
  while :; do
    dyn_stale_left=$(squeue --noheader --states=all --jobs="${dyn_stale#,}" --format='%i %T' 2> /dev/null \
      | DYN_ENDED=$dyn_ended awk 'BEGIN { n = split(ENVIRON["DYN_ENDED"], a, " "); for (i = 1; i <= n; i++) E[a[i]] = 1 }
          { st = toupper($2); sub(/\+$/, "", st); if (!(st in E)) printf " %s ", $1 }')
    [ -z "$dyn_stale_left" ] && break
    [ "$dyn_waited" -ge 40 ] && break
    sleep 0.5
    dyn_waited=$((dyn_waited + 1))
  done
fi

dyn_current=
while read -r dyn_fn dyn_fid; do
  [ "$dyn_fn" = current ] && dyn_current="$dyn_current $dyn_fid "
done <<EOF
$dyn_found
EOF
dyn_all=${dyn_comps:+yes}
for dyn_c in $dyn_comps; do
  case $dyn_current in *" $dyn_c "*) ;; *) dyn_all= ;; esac
done
if [ -n "$dyn_all" ]; then
  cat > /dev/null # every component already runs this spec: nothing is written (the archive is read and dropped)
else
  # Every file from one tar (a process per file is slow on a busy login node); secrets then renamed into place.
  # The files of current components are left out: tar extracts the members listed (exact names), all the others.
  set --
  : > "$dyn_tmp/members"
  while IFS=$dyn_tab read -r dyn_kind dyn_a dyn_b dyn_rest; do
    case $dyn_kind in
      dir) set -- "$@" "$dyn_a" ;;
      stage) dyn_stage=$dyn_a ;;
      secret) printf '%s\n' "$dyn_a" >> "$dyn_tmp/members" ;;
      file) case $dyn_current in *" $dyn_a "*) ;; *) printf '%s\n' "$dyn_b" >> "$dyn_tmp/members" ;; esac ;;
    esac
  done <<EOF
$dyn_ctl
EOF
  if [ $# -gt 0 ]; then
    mkdir -p -- "$@" && chmod 700 -- "$@" || dyn_fail "cannot create the directories in $dyn_g"
  fi
  dyn_only=
  [ -n "$dyn_current" ] && dyn_only="$dyn_tmp/members"
  tar -x -f - ${dyn_only:+-T "$dyn_only"} 2> "$dyn_tmp/err" \
    || dyn_fail "cannot write the files in $dyn_g: tar: $(tr '\n\t' '  ' < "$dyn_tmp/err")"
  cat > /dev/null # whatever tar left unread: the client's write must not wait on it
  while IFS=$dyn_tab read -r dyn_kind dyn_a dyn_b; do
    [ "$dyn_kind" = secret ] || continue
    mv -f -- "$dyn_a" "$dyn_b" || dyn_fail "cannot write $dyn_b"
  done <<EOF
$dyn_ctl
EOF
fi

# Adopt what exists; submit the rest, all at once (each sbatch waits on the controller: overlap the waits). The job
# ID goes to the job-id file right after sbatch answers, in the same run.
dyn_submit() { # index name dir script job-id-file comment exclude secrets-dir
  dyn_x=
  [ "$7" = - ] || dyn_x="--exclude=$7"
  if dyn_out=$(cd -- "$3" && DYNAMO_SECRETS_DIR=$8 sbatch --parsable --comment="$6" ${dyn_x:+"$dyn_x"} "$4" \
      < /dev/null 2> "$dyn_tmp/err.$1"); then
    dyn_id=${dyn_out%%;*}
    case $dyn_id in
      '' | *[!0-9_]*) printf 'refused\t%s\tsbatch printed no job id: %s\n' "$1" "$(printf '%s' "$dyn_out" | tr '\n\t' '  ')" ;;
      *) printf '%s\n' "$dyn_id" > "$5"; printf 'submitted\t%s\t%s\n' "$1" "$dyn_id" ;;
    esac
  else
    printf 'refused\t%s\t%s\n' "$1" "$(tr '\n\t' '  ' < "$dyn_tmp/err.$1")"
  fi
}
while IFS=$dyn_tab read -r dyn_kind dyn_i dyn_name dyn_rev dyn_dir dyn_script dyn_idfile dyn_comment dyn_exclude \
    dyn_secrets dyn_jobdir dyn_start dyn_ci; do
  [ "$dyn_kind" = job ] || continue
  dyn_id=
  while read -r dyn_fn dyn_fid; do
    [ "$dyn_fn" = "$dyn_name" ] && dyn_id=$dyn_fid
  done <<EOF
$dyn_found
EOF
  case $dyn_stale_names in
    *" $dyn_name="*)
      dyn_old=${dyn_stale_names##*" $dyn_name="} dyn_old=${dyn_old%% *}
      case $dyn_stale_left in
        *" $dyn_old "*)
          printf 'refused\t%s\tjob %s of this revision runs another spec (left by a deploy run that was lost): cancelled, but still not ended after 20 s\n' \
            "$dyn_i" "$dyn_old"
          continue ;;
      esac
      printf 'replaced\t%s\t%s\n' "$dyn_i" "$dyn_old" ;;
  esac
  if [ -n "$dyn_id" ]; then
    printf '%s\n' "$dyn_id" > "$dyn_idfile"
    case $dyn_current in
      *" $dyn_ci "*) printf 'current\t%s\t%s\n' "$dyn_i" "$dyn_id" ;;
      *) printf 'adopted\t%s\t%s\n' "$dyn_i" "$dyn_id" ;;
    esac
  else
    if [ "$dyn_start" = held ]; then
      rm -f -- "$dyn_jobdir/start"
      : > "$dyn_jobdir/hold"
    else
      rm -f -- "$dyn_jobdir/hold" # left by an earlier run of this revision number: this job starts at once
    fi
    dyn_submit "$dyn_i" "$dyn_name" "$dyn_dir" "$dyn_script" "$dyn_idfile" "$dyn_comment" "$dyn_exclude" \
      "$dyn_secrets" > "$dyn_tmp/answer.$dyn_i" &
  fi
done <<EOF
$dyn_ctl
EOF
wait
for dyn_answer in "$dyn_tmp"/answer.*; do
  [ -f "$dyn_answer" ] || continue
  IFS= read -r dyn_line < "$dyn_answer" && printf '%s\n' "$dyn_line"
done
