#!/usr/bin/env bash
# scripts/record-golden-shutdown.sh
#
# Record, from REAL Slurm 22.05 (the PRIVATE golden cluster of
# scripts/record-golden-oracle.sh, never the shared oracle: this stops its
# daemons), what `scontrol shutdown` prints and exits with, and what it stops,
# into fixtures/golden/shutdown/<case>.json. flow-slurm's `scontrol shutdown`
# is tested against these recordings (test/e2e/operate.test.ts).
#
# Cases, in this order (each: args, the user it runs as, exit, stdout, stderr,
# and `scontrol ping` / which daemons still run afterwards):
#   non-root      `scontrol shutdown` as an ordinary user (alice)
#   bad-argument  `scontrol shutdown bogus`
#   too-many      `scontrol shutdown controller extra`
#   controller    `scontrol shutdown controller` (slurmctld only); the cluster is started again after it
#   all           `scontrol shutdown` (slurmctld and every slurmd)
#   down          `scontrol shutdown` again, with slurmctld down
# The golden cluster is stopped at the end. Needs root and the user alice.
# The daemons never get the lock's file descriptor (9>&-): a daemon that kept
# it would hold the lock after this script ends, and every later user would wait.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/fixtures/golden/shutdown
GOLDEN=$ROOT/scripts/record-golden-oracle.sh
USER_NAME=${RECORD_USER:-alice}
[ "$(id -u)" = 0 ] || { echo "record-golden-shutdown.sh must run as root" >&2; exit 1; }
id "$USER_NAME" >/dev/null 2>&1 || { echo "record-golden-shutdown.sh: needs an ordinary user $USER_NAME (RECORD_USER=...)" >&2; exit 1; }

exec 9>/tmp/golden-oracle.lock
flock 9
trap '"$GOLDEN" stop >/dev/null 2>&1 9>&- || true' EXIT
"$GOLDEN" start >/dev/null 9>&-
CONF=$("$GOLDEN" conf 9>&-)
G_RUN_DIR=/run/flow-golden-oracle
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/flow-shutdown-XXXXXX)
chmod 0755 "$WORK"

daemons() { # which of the golden cluster's daemons still run
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
  local ping
  ping=$(env -i PATH=/usr/bin:/bin SLURM_CONF="$CONF" scontrol ping 2>&1 || true)
  python3 - "$OUT/$name.json" "$name" "$user" "$rc" "$WORK/out" "$WORK/err" "$ping" "$(daemons)" "$@" <<'PY'
import json, sys
path, name, user, rc, out, err, ping, running, *args = sys.argv[1:]
json.dump({
    "source": "real Slurm 22.05.8 (private golden cluster, scripts/record-golden-oracle.sh), recorded by scripts/record-golden-shutdown.sh",
    "case": name, "user": "root" if user == "root" else "ordinary user", "args": ["scontrol", *args],
    "exit": int(rc), "stdout": open(out).read(), "stderr": open(err).read(),
    "after": {"scontrol ping": ping, "daemons running": running.split() if running else []},
}, open(path, "w"), indent=2)
open(path, "a").write("\n")
PY
  echo "recorded $name: exit $rc"
}

record non-root "$USER_NAME" shutdown
record bad-argument root shutdown bogus
record too-many root shutdown controller extra
record controller root shutdown controller
"$GOLDEN" start >/dev/null 9>&-
record all root shutdown
record down root shutdown
rm -rf "$WORK"
