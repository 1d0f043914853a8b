#!/usr/bin/env bash
# scripts/record-golden.sh [--keep] [scenario...]
#
# Record fixtures/golden/recorded/<scenario>.json from REAL Slurm 22.05.8 for
# every scenario in fixtures/golden/scenarios/ (or only the named ones).
#
# 1. starts the private real-Slurm cluster of scripts/record-golden-oracle.sh
#    (same cluster as /work/shared/slurm-oracle, in slurmdbd mode, own ports and
#    dirs; the shared oracle is never touched);
# 2. copies its slurm.conf to fixtures/golden/slurm.conf (header line + the
#    config with the per-scenario FirstJobId line removed);
# 3. bundles scripts/record-golden.ts (+ test/helpers/golden.ts, the step runner
#    the test uses for our side) with esbuild and runs it: per scenario the
#    cluster is restarted empty (slurmctld -c, FirstJobId=1000), the steps run
#    in /tmp/flow-golden/<scenario> with PATH=/usr/bin:/bin HOME USER SLURM_CONF
#    only, every job the scenario created is cancelled at its end;
# 4. stops the private cluster again (unless --keep).
# Needs root (the daemons), /usr/bin/s* from Debian slurm-wlm 22.05.8, slurmdbd,
# mariadb-server, and npm ci (esbuild).  A full run takes ~5 minutes (the requeue
# scenario waits ~2 min: a requeued job is only eligible again after 121 s).
#
# scripts/record-golden.sh --shared scenario...
#   records scenarios marked "cluster": "shared" (no jobs of their own, or none that
#   depend on an empty queue) on the SHARED oracle (/work/shared/slurm-oracle,
#   accounting_storage/none) instead: no private cluster is started. Wrap it in
#   `flock /tmp/oracle.lock`. The test replays them on fixtures/oracle/slurm.conf.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP=0
SHARED=0
if [ "${1:-}" = "--keep" ]; then KEEP=1; shift; fi
if [ "${1:-}" = "--shared" ]; then SHARED=1; KEEP=1; shift; fi

ORACLE="$ROOT/scripts/record-golden-oracle.sh"
if [ "$SHARED" = 0 ]; then
  "$ORACLE" start >/dev/null
  CONF=$("$ORACLE" conf)
  {
    echo "# Copied from $CONF (written by scripts/record-golden-oracle.sh from /etc/slurm-oracle/slurm.conf + install.sh --with-slurmdbd's accounting lines) by scripts/record-golden.sh on $(date -u +%Y-%m-%dT%H:%M:%S%:z); FirstJobId (1000 per scenario) removed"
    grep -v '^FirstJobId=' "$CONF"
  } > "$ROOT/fixtures/golden/slurm.conf"
fi

OUT="$ROOT/node_modules/.cache/flow-golden"
mkdir -p "$OUT"
(cd "$ROOT" && node --input-type=module -e "
import { build } from 'esbuild';
await build({ entryPoints: ['scripts/record-golden.ts'], bundle: true, platform: 'node', target: 'node20',
  format: 'esm', packages: 'external', outfile: '$OUT/record-golden.mjs', logLevel: 'warning' });
")
status=0
FLOW_GOLDEN_ROOT="$ROOT" FLOW_GOLDEN_SHARED=$SHARED node "$OUT/record-golden.mjs" "$@" || status=$?
[ "$KEEP" = 1 ] || "$ORACLE" stop >/dev/null
exit $status
