#!/usr/bin/env bash
# scripts/record-golden-shutdown.sh [args]
#
# Record, from REAL Slurm 22.05, what `scontrol shutdown` prints and exits
# with, and what it stops, into fixtures/oracle/shutdown/<case>.json (each
# file names its source). flow-slurm's `scontrol shutdown` is tested against
# these recordings (test/e2e/shutdown.test.ts).
#
# Cases (each: args, the user it runs as, exit, stdout, stderr, and which
# daemons still run afterwards):
#   bad-argument  `scontrol shutdown bogus`
#   too-many      `scontrol shutdown controller extra`
#   non-root      `scontrol shutdown` as an ordinary user (alice)
#   controller    `scontrol shutdown controller` (slurmctld only); the cluster is started again after it
#   all           `scontrol shutdown` (slurmctld and every slurmd)
#   down          `scontrol shutdown` again, with slurmctld down
#
# Without arguments every case runs on the PRIVATE golden cluster of
# scripts/record-golden-oracle.sh (under /tmp/golden-oracle.lock; it is
# stopped at the end), never on the shared oracle: shutdown stops its daemons.
# `args` records only bad-argument and too-many, from the shared oracle (under
# /tmp/oracle.lock): scontrol refuses those before it contacts slurmctld
# (src/scontrol/scontrol.c, tag slurm-22-05-8-1), so they stop nothing.
# The daemons never get the lock's file descriptor (9>&-): a daemon that kept
# it would hold the lock after this script ends, and every later user would wait.
# Needs root, and for the golden cases the user alice (RECORD_USER=...).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/fixtures/oracle/shutdown
GOLDEN=$ROOT/scripts/record-golden-oracle.sh
USER_NAME=${RECORD_USER:-alice}
MODE=${1:-golden}
[ "$(id -u)" = 0 ] || { echo "record-golden-shutdown.sh must run as root" >&2; exit 1; }
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/flow-shutdown-XXXXXX)
chmod 0755 "$WORK"

if [ "$MODE" = args ]; then
  # shellcheck disable=SC1091
  . /work/shared/slurm-oracle/env.sh
  CONF=$SLURM_CONF
  SOURCE="real Slurm 22.05.8 (the shared oracle, /work/shared/slurm-oracle), recorded by scripts/record-golden-shutdown.sh args"
  exec 9>/tmp/oracle.lock
  G_RUN_DIR=/run/slurm-oracle
else
  [ "$MODE" = golden ] || { sed -n '2,30p' "$0" >&2; exit 2; }
  id "$USER_NAME" >/dev/null 2>&1 || { echo "record-golden-shutdown.sh: needs an ordinary user $USER_NAME (RECORD_USER=...)" >&2; exit 1; }
  SOURCE="real Slurm 22.05.8 (private golden cluster, scripts/record-golden-oracle.sh), recorded by scripts/record-golden-shutdown.sh"
  exec 9>/tmp/golden-oracle.lock
  G_RUN_DIR=/run/flow-golden-oracle
fi
flock 9

daemons() { # which of the cluster's daemons still run
  local out="" pf pid
  for pf in slurmctld slurmd-gpu1 slurmd-gpu2 slurmd-gpu3 slurmd-gpu4; do
    pid=$(cat "$G_RUN_DIR/$pf.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then out="$out${out:+ }$pf"; fi
  done
  echo "$out"
}

record() { # CASE USER ARGS...
  local name=$1 user=$2; shift 2
  local cmd=(env -i PATH=/usr/bin:/bin HOME=/tmp USER="$user" SLURM_CONF="$CONF" scontrol "$@")
  [ "$user" = root ] || cmd=(runuser -u "$user" -- "${cmd[@]}")
  set +e
  (cd "$WORK" && "${cmd[@]}") > "$WORK/out" 2> "$WORK/err" 9>&-
  local rc=$?
  set -e
  sleep 3 # the daemons take a moment to go
  python3 - "$OUT/$name.json" "$SOURCE" "$name" "$user" "$rc" "$WORK/out" "$WORK/err" "$(daemons)" "$@" <<'PY'
import json, sys
path, source, name, user, rc, out, err, running, *args = sys.argv[1:]
json.dump({
    "source": source,
    "case": name, "user": "root" if user == "root" else "ordinary user", "args": ["scontrol", *args],
    "exit": int(rc), "stdout": open(out).read(), "stderr": open(err).read(),
    "after": {"daemons running": running.split() if running else []},
}, open(path, "w"), indent=2)
open(path, "a").write("\n")
PY
  echo "recorded $name: exit $rc"
}

if [ "$MODE" = args ]; then
  record bad-argument root shutdown bogus
  record too-many root shutdown controller extra
else
  trap '"$GOLDEN" stop >/dev/null 2>&1 9>&- || true' EXIT
  "$GOLDEN" start >/dev/null 9>&-
  CONF=$("$GOLDEN" conf 9>&-)
  record bad-argument root shutdown bogus
  record too-many root shutdown controller extra
  record non-root "$USER_NAME" shutdown
  record controller root shutdown controller
  "$GOLDEN" start >/dev/null 9>&-
  record all root shutdown
  record down root shutdown
fi
rm -rf "$WORK"
