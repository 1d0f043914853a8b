# flow-slurm batch step supervisor (POSIX sh): the slurmstepd stand-in.
# Started detached by the controller, in its own session and process group,
# so it outlives the controller. Runs the batch script, enforces the time
# limit (with the --signal warning before it), and records how the script
# ended in END_FILE, where the controller collects it.
# usage: sh -c "<this text>" flow-supervisor END_FILE LIMIT_SECS WARN_SECS WARN_SIG WARN_BATCH KILL_WAIT JOB_ID NODE SCRIPT [ARGS...]
end=$1 limit=$2 warn=$3 wsig=$4 wbatch=$5 killwait=$6 jobid=$7 node=$8
shift 8
me=$$
# first thing: a controller that took over from the one launching us learns who we are
echo "$me" > "$end.pid.tmp" && mv "$end.pid.tmp" "$end.pid"

stamp() { date '+%Y-%m-%dT%H:%M:%S'; }

# Signal every process of the job's group except this supervisor and one other.
group_kill() {
  for p in $(ps -A -o pid= -o pgid= | awk -v g="$me" '$2 == g { print $1 }'); do
    [ "$p" = "$me" ] || [ "$p" = "$2" ] || kill -"$1" "$p" 2>/dev/null
  done
}

# TERM from the controller (scancel, scontrol requeue) reaches the whole group; we stay to record the end.
trap 'if [ -f "$end.cancel" ]; then
  why=""; [ "$(cat "$end.cancel")" = requeue ] && why=" DUE TO JOB REQUEUE"
  echo "slurmstepd-$node: error: *** JOB $jobid ON $node CANCELLED AT $(stamp)$why ***" >&2
fi' TERM
trap ':' HUP INT

if [ "$limit" -gt 0 ]; then
  (
    # the timer outlives the signals it sends to the group
    trap '' TERM "$wsig"
    if [ "$warn" -gt 0 ] && [ "$warn" -lt "$limit" ]; then
      sleep $((limit - warn))
      child=$(cat "$end.child" 2>/dev/null)
      if [ "$wbatch" = 1 ]; then kill -"$wsig" "$child" 2>/dev/null; else group_kill "$wsig" "$child"; fi
      sleep "$warn"
    else
      sleep "$limit"
    fi
    : > "$end.timeout"
    echo "slurmstepd-$node: error: *** JOB $jobid ON $node CANCELLED AT $(stamp) DUE TO TIME LIMIT ***" >&2
    kill -TERM -"$me" 2>/dev/null
    sleep "$killwait"
    # still there after KillWait: everything goes, this supervisor too; the marker tells the controller
    kill -KILL -"$me" 2>/dev/null
  ) </dev/null &
  timer=$!
fi

# The batch script runs in the foreground (so it keeps stdin and default
# signal handling) and learns its own pid as SLURM_TASK_PID. sh's $? cannot
# tell a script killed by signal N from one that exited 128+N (the usual end
# of a script whose last command was killed), Slurm can: where perl is at hand
# a small waiter in between tells, writing the signal (0: none) to $end.sig.
run='echo $$ > "$0.child"; SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec "$@"'
if command -v perl >/dev/null 2>&1; then
  perl -e 'my $sig = shift; my $pid = fork;
    if (!$pid) { exec { $ARGV[0] } @ARGV; exit 127 }
    $SIG{$_} = "IGNORE" for qw(INT TERM HUP QUIT USR1 USR2 ALRM PIPE TSTP TTIN TTOU);
    waitpid($pid, 0);
    my $st = $?; open(my $f, ">", $sig); print $f ($st & 127); close $f;
    exit(($st & 127) ? 128 + ($st & 127) : $st >> 8)' "$end.sig" sh -c "$run" "$end" "$@"
else
  sh -c "$run" "$end" "$@"
fi
rc=$?
ended=$(date +%s)
sig=$(cat "$end.sig" 2>/dev/null)

# Processes of the job other than this shell, its timer and this check itself (ps and awk under $(...)).
others() {
  ps -A -o pid= -o ppid= -o pgid= | awk -v g="$me" -v t="${timer:-0}" '
    $3 == g { parent[$1] = $2 }
    END { for (p in parent) { q = parent[p]; if (p == g || p == t || q == g || q == t || parent[q] == g) continue; print p } }'
}
# A job being cancelled or timed out: its steps (srun and their tasks, which got SIGTERM with the script)
# have until KillWait to finish, as each step's slurmstepd gives them, before everything is killed.
if [ -f "$end.cancel" ] || [ -f "$end.timeout" ]; then
  i=1
  while [ "$i" -lt "$killwait" ] && [ -n "$(others)" ]; do sleep 0.5; i=$((i + 1)); [ -n "$(others)" ] && sleep 0.5; done
fi
printf 'rc=%s\nend=%s\nsig=%s\n' "$rc" "$ended" "$sig" > "$end.tmp" && mv "$end.tmp" "$end"
# the job is over when its batch script is: what it left running goes too (the timer, this shell), as under Slurm
kill -KILL -"$me" 2>/dev/null
