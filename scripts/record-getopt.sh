#!/usr/bin/env bash
# scripts/record-getopt.sh
#
# Record fixtures/getopt/glibc.json from glibc's own getopt_long: compiles
# scripts/getopt-oracle/getopt-oracle.c (gcc), bundles scripts/record-getopt.ts
# (which takes the option tables from src/) with esbuild, and runs it.
# test/unit/options/getopt.test.ts replays every case on src/options/getopt.ts.
# Needs gcc and glibc (the C library the real Slurm commands run on: Debian
# bookworm's 2.36), and npm ci. Takes a few seconds; touches no cluster.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/node_modules/.cache/flow-getopt"
mkdir -p "$OUT"
gcc -O1 -Wall -Werror -o "$OUT/getopt-oracle" "$ROOT/scripts/getopt-oracle/getopt-oracle.c"
(cd "$ROOT" && node --input-type=module -e "
import { build } from 'esbuild';
await build({ entryPoints: ['scripts/record-getopt.ts'], bundle: true, platform: 'node', target: 'node20',
  format: 'esm', packages: 'external', outfile: '$OUT/record-getopt.mjs', logLevel: 'warning',
  loader: { '.lua': 'text', '.sh': 'text' } });
")
FLOW_GETOPT_ROOT="$ROOT" FLOW_GETOPT_ORACLE="$OUT/getopt-oracle" node "$OUT/record-getopt.mjs"
