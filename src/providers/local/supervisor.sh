# flow-slurm batch step supervisor (POSIX sh): the slurmstepd stand-in.
# Started detached by the controller, in its own session and process group,
# so it outlives the controller. Runs the batch script, enforces the time
# limit (with the --signal warning before it), ends the job when told to
# (SIGTERM from the controller: scancel, scontrol requeue), and records how
# the script ended in END_FILE, where the controller collects it.
# usage: sh -c "<this text>" flow-supervisor END_FILE LIMIT_SECS WARN_SECS WARN_SIG WARN_BATCH KILL_WAIT JOB_ID NODE SCRIPT [ARGS...]
end=$1 limit=$2 warn=$3 wsig=$4 wbatch=$5 killwait=$6 jobid=$7 node=$8
shift 8
me=$$
# first thing: a controller that took over from the one launching us learns who we are
echo "$me" > "$end.pid.tmp" && mv "$end.pid.tmp" "$end.pid"

# The job's stderr stays on fd 9 (slurmstepd's lines go there, the script gets it
# as its fd 2); this shell's own notices ("Terminated" when a child of its dies
# of a signal) go nowhere: slurmstepd writes nothing of the kind into a job's
# output. Fd 8 keeps the job's stdin for the script, which runs in the background.
exec 9>&2 2>/dev/null 8<&0

stamp() { date '+%Y-%m-%dT%H:%M:%S'; }

# Signal every process of the job's group except this supervisor and one other.
group_kill() {
  for p in $(ps -A -o pid= -o pgid= | awk -v g="$me" '$2 == g { print $1 }'); do
    [ "$p" = "$me" ] || [ "$p" = "$2" ] || kill -"$1" "$p" 2>/dev/null
  done
}

# The job ends (SIGTERM from the controller for scancel and scontrol requeue, or
# from the timer at the time limit): as slurmstepd, say so in the job's output
# first, then send every process of the job SIGCONT and SIGTERM. Once per run;
# a SIGTERM for anything else (scancel --signal=TERM --full reaches this shell
# too) is not an end.
ending=
on_term() {
  [ -z "$ending" ] || return 0
  if [ -f "$end.timeout" ]; then why=" DUE TO TIME LIMIT"
  elif [ -f "$end.cancel" ]; then why=""; case "$(cat "$end.cancel")" in requeue) why=" DUE TO JOB REQUEUE" ;; maxcost) why=" DUE TO COST LIMIT" ;; esac
  else return 0
  fi
  ending=1
  echo "slurmstepd-$node: error: *** JOB $jobid ON $node CANCELLED AT $(stamp)$why ***" >&9
  kill -CONT -"$me"
  kill -TERM -"$me"
}
trap on_term TERM
trap ':' HUP INT

if [ "$limit" -gt 0 ]; then
  (
    # the timer outlives the signals sent to the group
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
    kill -TERM "$me"
    sleep "$killwait"
    # still there after KillWait: everything goes, this supervisor too; the marker tells the controller
    kill -KILL -"$me" 2>/dev/null
  ) </dev/null 9>&- &
  timer=$!
fi

# The batch script learns its own pid as SLURM_TASK_PID. It runs in the
# background so that this shell can end the job while it runs (a trap waits
# for a foreground command). sh's $? cannot tell a script killed by signal N
# from one that exited 128+N (the usual end of a script whose last command was
# killed), Slurm can: where perl is at hand a small waiter in between tells,
# writing the signal (0: none) to $end.sig; it also gives the script the
# default handling of SIGINT and SIGQUIT, which sh takes from a background
# command (without perl the script starts with them ignored).
run='echo $$ > "$0.child"; SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec "$@"'
if command -v perl >/dev/null 2>&1; then
  perl -e 'my $sig = shift; my @mine = qw(INT TERM HUP QUIT USR1 USR2 ALRM PIPE TSTP TTIN TTOU);
    $SIG{$_} = "IGNORE" for @mine;
    my $pid = fork;
    if (defined $pid && !$pid) { $SIG{$_} = "DEFAULT" for @mine; exec { $ARGV[0] } @ARGV; exit 127 }
    waitpid($pid, 0);
    my $st = $?; open(my $f, ">", $sig); print $f ($st & 127); close $f;
    exit(($st & 127) ? 128 + ($st & 127) : $st >> 8)' "$end.sig" sh -c "$run" "$end" "$@" <&8 8<&- 2>&9 9>&- &
else
  sh -c "$run" "$end" "$@" <&8 8<&- 2>&9 9>&- &
fi
waiter=$!
exec 8<&-
# wait returns early (128+N) when a trap runs: wait again while the waiter is there (a zombie counts).
# Once it is gone, ask once more: a trap's command substitution may have collected it meanwhile, and
# sh then answers with its kept status (127 if the wait above already took it).
while :; do
  wait "$waiter"
  rc=$?
  kill -0 "$waiter" 2>/dev/null && continue
  wait "$waiter"
  st=$?
  [ "$st" -eq 127 ] || rc=$st
  break
done
ended=$(date +%s)
sig=$(cat "$end.sig" 2>/dev/null)

# The job's steps still running: srun processes and what they started (not the
# batch script's own leftovers, which end with it as under slurmstepd; not zombies).
steps() {
  ps -A -o pid= -o ppid= -o pgid= -o stat= -o args= | awk -v g="$me" '
    function base(p) { sub(/.*\//, "", p); return p }
    $3 == g && $4 !~ /^Z/ {
      parent[$1] = $2
      if (base($5) == "srun" || (base($5) ~ /^node/ && base($6) == "srun")) srun[$1] = 1
    }
    END { for (p in parent) for (q = p; q in parent; q = parent[q]) if (q in srun) { print p; break } }'
}
# A job being cancelled or timed out: its steps (srun and their tasks, which got SIGTERM with the script)
# have until KillWait to finish, as each step's slurmstepd gives them, before everything is killed.
if [ -n "$ending" ]; then
  i=0
  while [ "$i" -lt "$((killwait * 10))" ] && [ -n "$(steps)" ]; do sleep 0.1; i=$((i + 1)); done
fi
printf 'rc=%s\nend=%s\nsig=%s\n' "$rc" "$ended" "$sig" > "$end.tmp" && mv "$end.tmp" "$end"
# the job is over when its batch script is: what it left running goes too (the timer, this shell), as under Slurm
kill -KILL -"$me" 2>/dev/null
