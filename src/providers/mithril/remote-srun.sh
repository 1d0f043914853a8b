#!/bin/sh
# flow-slurm: srun inside a job on Mithril nodes (POSIX sh, on the batch node).
# The step is planned where the controller runs, by the same code as srun's own
# (src/steps/step-plan.ts): this asks for the plan with its arguments, environment
# and directory, then runs the step's tasks, each on its node (over ssh with the
# run's own key for the other nodes), and says how they ended.
# The driver answers with $req/plan.sh, which defines STEP and calls `task RANK DEST PREFIX`
# for each task (DEST empty: this node), or prints srun's error and exits.
run=${FLOW_SLURM_RUN:?srun: error: not inside a flow-slurm job on Mithril}
D="$HOME/.flow-slurm/$run"
steps="$D/steps"
mkdir -p "$steps" || exit 1
tmp="$steps/.req.$$"
req="$steps/req.$$"
rm -rf "$tmp" "$req"
mkdir "$tmp" || exit 1
printf '%s\0' "$@" > "$tmp/argv"
env -0 > "$tmp/env" 2>/dev/null || env > "$tmp/env"
pwd > "$tmp/cwd"
mv "$tmp" "$req"

# the controller reads the request on its next look (about a second); a job whose
# controller is away waits for it, as srun waits for slurmctld
while [ ! -e "$req/plan.sh" ]; do sleep 0.1; done

pids=
task() {
  rank=$1 dest=$2 prefix=$3
  if [ -n "$LABEL" ]; then
    { { one "$rank" "$dest" 2>&1 1>&3 3>&- | sed -u "s/^/$prefix/" 1>&2; } 3>&1 | sed -u "s/^/$prefix/"; } &
  else
    one "$rank" "$dest" &
  fi
  pids="$pids $!"
}
one() {
  if [ -z "$2" ]; then
    sh "$steps/$STEP/node.sh" "$1" < /dev/null
  else
    host=${2%:*} port=${2##*:}
    ssh -i "$D/node_key" -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o LogLevel=ERROR "$(id -un)@$host" "sh \"\$HOME/.flow-slurm/$run/steps/$STEP/node.sh\" $1" < /dev/null
  fi
  echo $? > "$req/rc.$1"
}
# the job's end (scancel, time limit) reaches this shell: the tasks here and the ssh sessions go with it
trap 'kill $pids 2>/dev/null; exit 143' TERM INT HUP
. "$req/plan.sh"
for p in $pids; do wait "$p"; done
rc=0
for f in "$req"/rc.*; do
  [ -e "$f" ] || continue
  r=$(cat "$f")
  [ "$r" -gt "$rc" ] && rc=$r
done
printf 'rc=%s\nend=%s\n' "$rc" "$(date +%s)" > "$req/end.tmp" && mv "$req/end.tmp" "$req/end"
exit "$rc"
